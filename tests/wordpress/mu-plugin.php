<?php
/**
 * Plugin Name: wparchive test harness
 * Description: Keeps the offline test site self-contained and switches its REST API mode.
 *
 * harness.py copies this file to wp-content/mu-plugins/wparchive-harness.php. The REST mode
 * is read on every request from the JSON file named by WPARCHIVE_HARNESS_SETTINGS (written by
 * WordPressSite.set_rest_mode), so switching needs no restart:
 *
 * - "open": WordPress as shipped.
 * - "wp-json-blocked": handled by router.php (/wp-json/ answers 403); ?rest_route= still works.
 * - "disabled": no REST API at all, as on a pre-4.7 blog: /wp-json/... and ?rest_route=...
 *   both get the theme's 404 page, and the API discovery link (tag, Link header, RSD entry,
 *   oEmbed discovery) is gone.
 * - "legacy": "disabled", and no core sitemaps (before 5.5); router.php drops every query string,
 *   as a cache in front of an old blog does.
 *
 * With "validators": true in the same file, post and page views send `Last-Modified` (the later
 * of the post's modification and its newest approved comment) and an `ETag`, and answer
 * conditional requests with 304, as a page-cache plugin or a caching proxy does. WordPress
 * itself sends validators only on feeds.
 */

if (!defined('ABSPATH')) {
    exit;
}

function wparchive_harness_settings() {
    static $settings = null;
    if ($settings === null) {
        $settings = array();
        if (defined('WPARCHIVE_HARNESS_SETTINGS') && is_file(WPARCHIVE_HARNESS_SETTINGS)) {
            $decoded = json_decode((string) file_get_contents(WPARCHIVE_HARNESS_SETTINGS), true);
            if (is_array($decoded)) {
                $settings = $decoded;
            }
        }
    }
    return $settings;
}

function wparchive_harness_rest_mode() {
    $settings = wparchive_harness_settings();
    return isset($settings['rest_mode']) ? $settings['rest_mode'] : 'open';
}

// No page may make a browser reach outside the machine: avatars come from the site itself,
// and the emoji script (which loads images from a CDN) and its DNS prefetch are removed.
add_filter('pre_get_avatar_data', function ($args, $id_or_email) {
    $args['url'] = includes_url('images/blank.gif');
    $args['found_avatar'] = true;
    return $args;
}, 10, 2);
remove_action('wp_head', 'print_emoji_detection_script', 7);
remove_action('admin_print_scripts', 'print_emoji_detection_script');
remove_action('wp_print_styles', 'print_emoji_styles');
remove_action('admin_print_styles', 'print_emoji_styles');
add_filter('emoji_svg_url', '__return_false');
add_filter('wp_resource_hints', function ($urls, $relation_type) {
    return $relation_type === 'dns-prefetch' ? array() : $urls;
}, 10, 2);

if (wparchive_harness_rest_mode() === 'legacy') {
    // No core sitemaps either, as before WordPress 5.5 (router.php also drops every query string).
    add_filter('wp_sitemaps_enabled', '__return_false');
    // Themes of that time list the blog's pages with wp_list_pages() in a header or sidebar
    // (Kubrick, Twenty Ten to Twenty Fourteen as shipped); a theme of today without a menu
    // assigned links its pages nowhere, and nothing but an API or a sitemap could find them.
    add_action('wp_footer', function () {
        echo '<nav class="legacy-pages"><ul>';
        wp_list_pages(array('title_li' => ''));
        echo '</ul></nav>';
    });
}

if (in_array(wparchive_harness_rest_mode(), array('disabled', 'legacy'), true)) {
    // Requests for the API (both /wp-json/... through the rewrite rule and ?rest_route=...)
    // become ordinary 404s before WordPress's REST server sees them.
    add_action('parse_request', function ($wp) {
        if (isset($wp->query_vars['rest_route'])) {
            $wp->query_vars = array('error' => '404');
        }
    }, 1);
    remove_action('parse_request', 'rest_api_loaded');
    // Belt and braces, should anything still dispatch a REST request.
    add_filter('rest_authentication_errors', function () {
        return new WP_Error('rest_disabled', 'The REST API is disabled on this site.', array('status' => 404));
    });
    // No discovery.
    remove_action('wp_head', 'rest_output_link_wp_head', 10);
    remove_action('template_redirect', 'rest_output_link_header', 11);
    remove_action('xmlrpc_rsd_apis', 'rest_output_rsd');
    remove_action('wp_head', 'wp_oembed_add_discovery_links');
}

if (!empty(wparchive_harness_settings()['validators'])) {
    add_action('template_redirect', function () {
        if (!is_singular() || is_user_logged_in()) {
            return;
        }
        global $wpdb;
        $post = get_queried_object();
        $newest = $wpdb->get_row($wpdb->prepare(
            "SELECT MAX(comment_date_gmt) AS newest, MAX(comment_ID) AS last_id, COUNT(*) AS n FROM $wpdb->comments"
            . " WHERE comment_post_ID = %d AND comment_approved = '1'",
            $post->ID
        ));
        $changed = max(strtotime($post->post_modified_gmt . ' UTC'), $newest->newest ? strtotime($newest->newest . ' UTC') : 0);
        $etag = '"' . md5(implode('|', array($post->post_modified_gmt, $newest->n, $newest->last_id, get_stylesheet(), get_query_var('cpage')))) . '"';
        $last_modified = gmdate('D, d M Y H:i:s', $changed) . ' GMT';
        header('Last-Modified: ' . $last_modified);
        header('ETag: ' . $etag);
        $if_none_match = isset($_SERVER['HTTP_IF_NONE_MATCH']) ? trim(wp_unslash($_SERVER['HTTP_IF_NONE_MATCH'])) : '';
        $if_modified_since = isset($_SERVER['HTTP_IF_MODIFIED_SINCE']) ? strtotime(wp_unslash($_SERVER['HTTP_IF_MODIFIED_SINCE'])) : false;
        if (($if_none_match !== '' && $if_none_match === $etag)
            || ($if_none_match === '' && $if_modified_since && $if_modified_since >= $changed)) {
            status_header(304);
            exit;
        }
    }, 0);
}
