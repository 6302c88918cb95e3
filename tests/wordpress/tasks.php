<?php
/**
 * Small administrative tasks on the harness's WordPress, called by harness.py.
 *
 *   php tasks.php WP_DIR installed          prints "yes" or "no"
 *   php tasks.php WP_DIR theme NAME         switches to the theme NAME (a folder in wp-content/themes)
 *   php tasks.php WP_DIR relocate OLD NEW   rewrites absolute URLs OLD... to NEW... in stored content
 */

$task = isset($argv[2]) ? $argv[2] : '';
if ($task === 'installed') {
    define('WP_INSTALLING', true);
}
require __DIR__ . '/_bootstrap.php';

switch ($task) {
    case 'installed':
        wp_cache_flush();
        echo is_blog_installed() ? "yes\n" : "no\n";
        break;

    case 'theme':
        $name = isset($argv[3]) ? $argv[3] : '';
        $theme = wp_get_theme($name);
        if (!$theme->exists() || $theme->errors()) {
            fwrite(STDERR, "no such theme: $name\n");
            exit(1);
        }
        switch_theme($name);
        echo get_stylesheet(), "\n";
        break;

    case 'relocate':
        $old = isset($argv[3]) ? rtrim($argv[3], '/') : '';
        $new = isset($argv[4]) ? rtrim($argv[4], '/') : '';
        if ($old === '' || $new === '') {
            fwrite(STDERR, "usage: relocate OLD_BASE_URL NEW_BASE_URL\n");
            exit(2);
        }
        global $wpdb;
        $n = 0;
        $n += (int) $wpdb->query($wpdb->prepare(
            "UPDATE $wpdb->posts SET post_content = REPLACE(post_content, %s, %s), guid = REPLACE(guid, %s, %s)",
            $old, $new, $old, $new
        ));
        $n += (int) $wpdb->query($wpdb->prepare(
            "UPDATE $wpdb->comments SET comment_content = REPLACE(comment_content, %s, %s),"
            . " comment_author_url = REPLACE(comment_author_url, %s, %s)",
            $old, $new, $old, $new
        ));
        update_option('home', $new);
        update_option('siteurl', $new);
        wp_cache_flush();
        echo "$n rows\n";
        break;

    default:
        fwrite(STDERR, "unknown task: $task\n");
        exit(2);
}
