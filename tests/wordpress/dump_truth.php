<?php
/**
 * Ground truth for the wparchive WordPress harness, read from WordPress's own tables.
 *
 *   php dump_truth.php WORDPRESS_DIR > truth.json
 *
 * Prints one JSON object:
 * - site: settings that shape the pages (timezone, permalinks, theme, comment paging...);
 * - posts: published posts and pages (what an archiver must keep), oldest first;
 * - comments: approved comments, pingbacks and trackbacks on those posts and pages, by id,
 *   with their thread depth and the comment page they are on;
 * - users, terms (categories and tags);
 * - excluded: ids that must NOT be archived (drafts, pending, private and trashed posts;
 *   unapproved, spam and trashed comments, and comments on posts that are not public);
 * - counts: the figures above, summed.
 */

require __DIR__ . '/_bootstrap.php';

global $wpdb;

function truth_int_list($rows)
{
    return array_map('intval', $rows);
}

// ---------------------------------------------------------------- posts and pages
$rows = $wpdb->get_results(
    "SELECT * FROM $wpdb->posts WHERE post_status = 'publish' AND post_type IN ('post', 'page')"
    . " ORDER BY post_date_gmt, ID"
);
$sticky = array_map('intval', (array) get_option('sticky_posts'));
$published = array();
$posts = array();
foreach ($rows as $row) {
    $published[(int) $row->ID] = true;
    $author = get_userdata((int) $row->post_author);
    $terms = function ($taxonomy) use ($row) {
        $names = wp_get_object_terms((int) $row->ID, $taxonomy, array('fields' => 'names', 'orderby' => 'name'));
        return is_wp_error($names) ? array() : array_values($names);
    };
    $posts[] = array(
        'id' => (int) $row->ID,
        'type' => $row->post_type,
        'title' => $row->post_title,
        // What a reader sees (themes prefix "Protected: " to password-protected posts).
        'title_text' => html_entity_decode(wp_strip_all_tags($row->post_title), ENT_QUOTES, 'UTF-8'),
        'author_id' => (int) $row->post_author,
        'author' => $author ? $author->display_name : '',
        'date' => $row->post_date,
        'date_gmt' => $row->post_date_gmt,
        'modified' => $row->post_modified,
        'modified_gmt' => $row->post_modified_gmt,
        'slug' => $row->post_name,
        'slug_decoded' => rawurldecode($row->post_name),
        'link' => get_permalink((int) $row->ID),
        'categories' => $row->post_type === 'post' ? $terms('category') : array(),
        'tags' => $row->post_type === 'post' ? $terms('post_tag') : array(),
        'password_protected' => $row->post_password !== '',
        'sticky' => in_array((int) $row->ID, $sticky, true),
        'comment_status' => $row->comment_status,
        'content' => $row->post_content,
    );
}

// ---------------------------------------------------------------- comments
$all = $wpdb->get_results("SELECT comment_ID, comment_parent FROM $wpdb->comments");
$parent_of = array();
foreach ($all as $c) {
    $parent_of[(int) $c->comment_ID] = (int) $c->comment_parent;
}
function truth_depth($id, $parent_of)
{
    $depth = 1;
    while (!empty($parent_of[$id]) && $depth < 100) {
        $id = $parent_of[$id];
        $depth++;
    }
    return $depth;
}

$per_page = (int) get_option('comments_per_page');
$threaded = (bool) get_option('thread_comments');
$comments = array();
$by_post = array();
$rows = $wpdb->get_results("SELECT * FROM $wpdb->comments WHERE comment_approved = '1' ORDER BY comment_ID");
foreach ($rows as $row) {
    $post_id = (int) $row->comment_post_ID;
    if (empty($published[$post_id])) {
        continue;
    }
    $type = in_array($row->comment_type, array('pingback', 'trackback'), true) ? $row->comment_type : 'comment';
    $comment = get_comment((int) $row->comment_ID);
    $comments[] = array(
        'id' => (int) $row->comment_ID,
        'post_id' => $post_id,
        'parent' => (int) $row->comment_parent,
        'depth' => truth_depth((int) $row->comment_ID, $parent_of),
        'type' => $type,
        'author' => $row->comment_author,
        'author_url' => $row->comment_author_url,
        'user_id' => (int) $row->user_id,
        'date' => $row->comment_date,
        'date_gmt' => $row->comment_date_gmt,
        'content' => $row->comment_content,
        'page' => (int) get_page_of_comment($comment, array('per_page' => $per_page)),
        'link' => get_comment_link($comment),
    );
    $by_post[$post_id][] = $comment;
}

$comment_types = array('comment' => 0, 'pingback' => 0, 'trackback' => 0);
$max_depth = 0;
foreach ($comments as $c) {
    $comment_types[$c['type']]++;
    $max_depth = max($max_depth, $c['depth']);
}
$pages_hist = array();
foreach ($posts as &$post) {
    $list = isset($by_post[$post['id']]) ? $by_post[$post['id']] : array();
    $post['comment_count'] = count($list);
    $post['top_level_comments'] = count(array_filter($list, function ($c) {
        return (int) $c->comment_parent === 0;
    }));
    $post['comment_pages'] = $list ? (int) get_comment_pages_count($list, $per_page, $threaded) : 0;
    if ($post['comment_pages']) {
        $k = (string) $post['comment_pages'];
        $pages_hist[$k] = (isset($pages_hist[$k]) ? $pages_hist[$k] : 0) + 1;
    }
}
unset($post);
ksort($pages_hist);

// ---------------------------------------------------------------- users and terms
$users = array();
foreach (get_users(array('orderby' => 'ID', 'order' => 'ASC')) as $u) {
    $users[] = array(
        'id' => (int) $u->ID,
        'login' => $u->user_login,
        'nicename' => $u->user_nicename,
        'display_name' => $u->display_name,
        'url' => $u->user_url,
        'roles' => array_values($u->roles),
        'registered' => $u->user_registered,
        'published_posts' => (int) count_user_posts($u->ID, 'post', true),
    );
}
$terms = array();
foreach (array('category', 'post_tag') as $taxonomy) {
    foreach (get_terms(array('taxonomy' => $taxonomy, 'hide_empty' => false, 'orderby' => 'term_id')) as $t) {
        $terms[] = array(
            'id' => (int) $t->term_id,
            'taxonomy' => $taxonomy,
            'name' => $t->name,
            'slug' => $t->slug,
            'count' => (int) $t->count,
            'link' => get_term_link($t),
        );
    }
}

// ---------------------------------------------------------------- must not be archived
$excluded_posts = array();
foreach ($wpdb->get_results(
    "SELECT ID, post_status FROM $wpdb->posts WHERE post_type IN ('post', 'page')"
    . " AND post_status NOT IN ('publish', 'auto-draft', 'inherit') ORDER BY ID"
) as $row) {
    $excluded_posts[$row->post_status][] = (int) $row->ID;
}
$excluded_comments = array();
foreach ($wpdb->get_results("SELECT comment_ID, comment_post_ID, comment_approved FROM $wpdb->comments ORDER BY comment_ID") as $row) {
    if ($row->comment_approved === '1' && !empty($published[(int) $row->comment_post_ID])) {
        continue;
    }
    $reason = $row->comment_approved === '1' ? 'on_hidden_post'
        : ($row->comment_approved === '0' ? 'unapproved' : $row->comment_approved);
    $excluded_comments[$reason][] = (int) $row->comment_ID;
}
$all_excluded_posts = $excluded_posts ? array_merge(...array_values($excluded_posts)) : array();
$all_excluded_comments = $excluded_comments ? array_merge(...array_values($excluded_comments)) : array();
sort($all_excluded_posts);
sort($all_excluded_comments);

// ---------------------------------------------------------------- site
$settings = array();
if (defined('WPARCHIVE_HARNESS_SETTINGS') && is_file(WPARCHIVE_HARNESS_SETTINGS)) {
    $settings = (array) json_decode((string) file_get_contents(WPARCHIVE_HARNESS_SETTINGS), true);
}
$site = array(
    'base_url' => home_url(),
    'name' => get_option('blogname'),
    'description' => get_option('blogdescription'),
    'wordpress_version' => get_bloginfo('version'),
    'timezone_string' => get_option('timezone_string'),
    'permalink_structure' => get_option('permalink_structure'),
    'theme' => get_stylesheet(),
    'rest_mode' => isset($settings['rest_mode']) ? $settings['rest_mode'] : 'open',
    'posts_per_page' => (int) get_option('posts_per_page'),
    'page_comments' => (bool) get_option('page_comments'),
    'comments_per_page' => $per_page,
    'default_comments_page' => get_option('default_comments_page'),
    'comment_order' => get_option('comment_order'),
    'thread_comments' => $threaded,
    'thread_comments_depth' => (int) get_option('thread_comments_depth'),
    'sticky_posts' => $sticky,
);

$count_type = function ($type) use ($posts) {
    return count(array_filter($posts, function ($p) use ($type) {
        return $p['type'] === $type;
    }));
};
$truth = array(
    'site' => $site,
    'counts' => array(
        'posts' => $count_type('post'),
        'pages' => $count_type('page'),
        'password_protected' => count(array_filter($posts, function ($p) {
            return $p['password_protected'];
        })),
        'comments' => $comment_types + array('total' => count($comments)),
        'max_depth' => $max_depth,
        'posts_by_comment_pages' => (object) $pages_hist,
        'users' => count($users),
        'categories' => count(array_filter($terms, function ($t) {
            return $t['taxonomy'] === 'category';
        })),
        'tags' => count(array_filter($terms, function ($t) {
            return $t['taxonomy'] === 'post_tag';
        })),
    ),
    'posts' => $posts,
    'comments' => $comments,
    'users' => $users,
    'terms' => $terms,
    'excluded' => array(
        'posts' => (object) $excluded_posts,
        'comments' => (object) $excluded_comments,
        'post_ids' => $all_excluded_posts,
        'comment_ids' => $all_excluded_comments,
    ),
);
echo json_encode($truth, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_PRETTY_PRINT), "\n";
