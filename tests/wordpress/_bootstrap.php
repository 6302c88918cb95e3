<?php
/**
 * Loads WordPress for the harness's command-line PHP scripts (seed.php, dump_truth.php, tasks.php).
 *
 * Usage from a script: `require __DIR__ . '/_bootstrap.php';` with the site's WordPress folder
 * (the one holding wp-config.php) as the script's first argument. Define WP_INSTALLING before
 * requiring this file to load WordPress on a database that is not installed yet.
 */

if (PHP_SAPI !== 'cli') {
    exit(1);
}
if (empty($argv[1]) || !is_file($argv[1] . '/wp-load.php')) {
    fwrite(STDERR, "usage: php " . basename($argv[0]) . " WORDPRESS_DIR [args...]\n");
    exit(2);
}

// WordPress reads these while loading; a CLI run has none of them.
$wparchive_host = getenv('WPARCHIVE_WP_HOST') ?: '127.0.0.1';
$_SERVER['HTTP_HOST'] = $wparchive_host;
$_SERVER['SERVER_NAME'] = preg_replace('/:\d+$/', '', $wparchive_host);
$_SERVER['SERVER_PORT'] = preg_match('/:(\d+)$/', $wparchive_host, $m) ? $m[1] : '80';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';

require $argv[1] . '/wp-load.php';
