<?php
/**
 * Router for `php -S 127.0.0.1:PORT -t www router.php` (the wparchive WordPress harness).
 *
 * Existing files (static assets, wp-admin/*.php, wp-login.php, ...) are served by the
 * built-in server itself; everything else goes to WordPress's index.php, as Apache's
 * rewrite rules would do. harness.py copies this file next to the site's settings.json.
 *
 * REST mode "wp-json-blocked" is done here, like a WAF or a web-server rule would do it:
 * paths under /wp-json/ answer 403 while /?rest_route=/... still reaches WordPress.
 * An "outage" (500 or 503) in settings.json makes every request fail with that status;
 * "slow" makes every request take 3 s.
 */

// Every request, with its status, one line each in logs/requests.log (WordPressSite.requests_since):
// php -S itself logs only the requests it answers without this router.
$requested_uri = $_SERVER['REQUEST_URI'];
register_shutdown_function(function () use ($requested_uri) {
    $status = http_response_code();
    $line = sprintf("%s %d %s %s\n", gmdate('Y-m-d\TH:i:s\Z'), $status ? $status : 200, $_SERVER['REQUEST_METHOD'], $requested_uri);
    file_put_contents(__DIR__ . '/logs/requests.log', $line, FILE_APPEND | LOCK_EX);
});

$settings_file = __DIR__ . '/settings.json';
$settings = is_file($settings_file) ? json_decode((string) file_get_contents($settings_file), true) : null;
$rest_mode = is_array($settings) && isset($settings['rest_mode']) ? $settings['rest_mode'] : 'open';

$path = rawurldecode((string) parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH));

// "outage": 500 or 503 makes every request fail, as a site whose database is down does;
// "slow" makes every request take 3 s (for timeouts).
$outage = is_array($settings) && isset($settings['outage']) ? $settings['outage'] : 0;
if ($outage === 'slow') {
    sleep(3);
} elseif ((int) $outage >= 500) {
    http_response_code((int) $outage);
    header('Content-Type: text/html; charset=UTF-8');
    echo "<!DOCTYPE html>\n<html><head><title>Database Error</title></head>"
        . "<body><h1>Error establishing a database connection</h1></body></html>\n";
    return true;
}

if ($rest_mode === 'wp-json-blocked' && preg_match('#^/(index\.php/)?wp-json(/|$)#', $path)) {
    http_response_code(403);
    header('Content-Type: text/html; charset=UTF-8');
    echo "<!DOCTYPE html>\n<html><head><title>403 Forbidden</title></head>"
        . "<body><h1>Forbidden</h1><p>You don't have permission to access this resource.</p></body></html>\n";
    return true;
}

// "legacy": a cache in front of an old blog that ignores query strings: /feed/?paged=2 answers the
// first feed page, /?sitemap=index and /?rest_route=/ the home page.
if ($rest_mode === 'legacy' && strpos($_SERVER['REQUEST_URI'], '?') !== false) {
    $_SERVER['REQUEST_URI'] = strtok($_SERVER['REQUEST_URI'], '?');
    $_SERVER['QUERY_STRING'] = '';
    $_GET = array();
    $_REQUEST = array();
}

$docroot = rtrim((string) realpath($_SERVER['DOCUMENT_ROOT']), '/');
$file = realpath($docroot . $path);
if ($file !== false && strpos($file, $docroot) === 0) {
    if (is_file($file)) {
        return false; // static file or a PHP script of its own (wp-login.php, wp-admin/...)
    }
    if (is_dir($file) && $path !== '/' && is_file($file . '/index.php')) {
        return false; // /wp-admin/ and friends
    }
}

// Pretty permalinks: hand the request to WordPress.
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $docroot . '/index.php';
chdir($docroot);
require $docroot . '/index.php';
