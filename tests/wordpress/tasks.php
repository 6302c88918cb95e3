<?php
/**
 * Small administrative tasks on the harness's WordPress, called by harness.py.
 *
 *   php tasks.php WP_DIR installed          prints "yes" or "no"
 *   php tasks.php WP_DIR theme NAME         switches to the theme NAME (a folder in wp-content/themes)
 *   php tasks.php WP_DIR relocate OLD NEW   rewrites absolute URLs OLD... to NEW... in stored content
 *
 * Changes for the re-crawl tests, made through WordPress's own functions (each prints JSON):
 *
 *   php tasks.php WP_DIR add-post TITLE CONTENT [AUTHOR_ID]       publishes a post now
 *   php tasks.php WP_DIR add-comment POST_ID AUTHOR TEXT [PARENT_ID] [TYPE] [AUTHOR_URL] [DAYS_AGO] [APPROVED]
 *                                                                 a comment (approved: 1, pending: 0),
 *                                                                 dated now or DAYS_AGO days ago
 *   php tasks.php WP_DIR approve-comment COMMENT_ID               approves a pending comment
 *   php tasks.php WP_DIR edit-post POST_ID TEXT                   appends a paragraph (modified: now)
 *   php tasks.php WP_DIR delete-comment COMMENT_ID [force]        trashes (or deletes) a comment
 *   php tasks.php WP_DIR restore-comment COMMENT_ID               takes it out of the trash
 *   php tasks.php WP_DIR trash-post POST_ID                       trashes a post
 *   php tasks.php WP_DIR restore-post POST_ID                     untrashes and publishes it again
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

    case 'add-post':
        $id = wp_insert_post(wp_slash(array(
            'post_type' => 'post',
            'post_status' => 'publish',
            'post_title' => (string) $argv[3],
            'post_content' => (string) $argv[4],
            'post_author' => isset($argv[5]) ? (int) $argv[5] : 1,
            'comment_status' => 'open',
            'ping_status' => 'closed',
        )), true);
        if (is_wp_error($id)) {
            fwrite(STDERR, $id->get_error_message() . "\n");
            exit(1);
        }
        wparchive_no_pings();
        echo wp_json_encode(array('id' => $id, 'link' => get_permalink($id))), "\n";
        break;

    case 'add-comment':
        $post_id = (int) $argv[3];
        $type = isset($argv[7]) && $argv[7] !== '' ? $argv[7] : 'comment';
        $when = time() - (int) round(86400 * (isset($argv[9]) ? (float) $argv[9] : 0));
        $id = wp_insert_comment(wp_slash(array(
            'comment_post_ID' => $post_id,
            'comment_author' => (string) $argv[4],
            'comment_author_email' => $type === 'comment' ? 'visitor@example.org' : '',
            'comment_author_url' => isset($argv[8]) ? (string) $argv[8] : '',
            'comment_content' => (string) $argv[5],
            'comment_parent' => isset($argv[6]) ? (int) $argv[6] : 0,
            'comment_type' => $type,
            'comment_approved' => isset($argv[10]) && $argv[10] === '0' ? '0' : '1',
            'comment_date' => wp_date('Y-m-d H:i:s', $when),
            'comment_date_gmt' => gmdate('Y-m-d H:i:s', $when),
            'comment_author_IP' => '203.0.113.250',
            'comment_agent' => 'wparchive-tests',
        )));
        if (!$id) {
            fwrite(STDERR, "comment insert failed\n");
            exit(1);
        }
        echo wp_json_encode(array('id' => $id, 'link' => get_comment_link($id))), "\n";
        break;

    case 'approve-comment':
        $ok = wp_set_comment_status((int) $argv[3], 'approve');
        echo wp_json_encode(array('approved' => (bool) $ok)), "\n";
        exit($ok ? 0 : 1);

    case 'edit-post':
        $post = get_post((int) $argv[3]);
        if (!$post) {
            fwrite(STDERR, "no such post\n");
            exit(1);
        }
        $result = wp_update_post(wp_slash(array(
            'ID' => $post->ID,
            'post_content' => $post->post_content . "\n\n" . (string) $argv[4],
        )), true);
        if (is_wp_error($result)) {
            fwrite(STDERR, $result->get_error_message() . "\n");
            exit(1);
        }
        wparchive_no_pings();
        echo wp_json_encode(array('id' => $post->ID, 'modified_gmt' => get_post($post->ID)->post_modified_gmt)), "\n";
        break;

    case 'delete-comment':
        $ok = wp_delete_comment((int) $argv[3], isset($argv[4]) && $argv[4] === 'force');
        echo wp_json_encode(array('deleted' => (bool) $ok)), "\n";
        exit($ok ? 0 : 1);

    case 'restore-comment':
        $ok = wp_untrash_comment((int) $argv[3]);
        echo wp_json_encode(array('restored' => (bool) $ok)), "\n";
        exit($ok ? 0 : 1);

    case 'trash-post':
        $ok = wp_trash_post((int) $argv[3]);
        echo wp_json_encode(array('trashed' => (bool) $ok)), "\n";
        exit($ok ? 0 : 1);

    case 'restore-post':
        // Since WordPress 5.6 an untrashed post comes back as a draft: publish it again.
        $ok = wp_untrash_post((int) $argv[3]);
        if ($ok) {
            wp_publish_post((int) $argv[3]);
            wparchive_no_pings();
        }
        echo wp_json_encode(array('restored' => (bool) $ok)), "\n";
        exit($ok ? 0 : 1);

    default:
        fwrite(STDERR, "unknown task: $task\n");
        exit(2);
}

/** Publishing queues pings and enclosure checks for the cron; this site must never send any. */
function wparchive_no_pings()
{
    global $wpdb;
    $wpdb->query("DELETE FROM $wpdb->postmeta WHERE meta_key IN ('_pingme', '_encloseme', '_trackbackme')");
    wp_clear_scheduled_hook('do_pings');
}
