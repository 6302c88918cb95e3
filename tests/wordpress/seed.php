<?php
/**
 * Deterministic seed for the wparchive WordPress harness: a Spring 2013 course blog.
 *
 *   php seed.php WORDPRESS_DIR
 *
 * Runs once on a freshly installed site (harness.py calls it after the installer) and prints
 * a JSON summary of what it created. It refuses to run twice (the option wparchive_seeded).
 * All randomness comes from SeedRandom below, a counter hashed with SHA-256, so nothing
 * WordPress does internally can change the outcome: the same seed gives the same posts,
 * comments, threads and dates, and, on a fresh database, the same ids.
 *
 * What it makes at the default size (the figures are checked by test_harness_smoke.py and listed in
 * README.md; WPARCHIVE_WP_SCALE=N makes N times as many posts, see below):
 * - an instructor (the administrator made by the installer) and 9 students (role author),
 *   display names with accents and Cyrillic;
 * - 3 categories, 10 tags (one Cyrillic);
 * - 64 published posts from 2013-01-14 to 2013-05-10 (one sticky, one password-protected,
 *   eight with non-ASCII or emoji titles) and 2 published pages (Syllabus, About);
 * - approved comments threaded up to depth 5 by the instructor, students and guests,
 *   pingbacks and one trackback; four posts with more than 20 top-level comments, so with
 *   comments_per_page 20 they have 2 or 3 comment pages;
 * - things an archiver must not keep: a draft, a pending post, a private post (with an
 *   approved comment), a trashed post (its comments become post-trashed), unapproved, spam
 *   and trashed comments.
 */

require __DIR__ . '/_bootstrap.php';
require_once ABSPATH . 'wp-admin/includes/user.php';
require_once ABSPATH . 'wp-admin/includes/post.php';

if (get_option('wparchive_seeded')) {
    echo get_option('wparchive_seed_summary'), "\n";
    exit(0);
}

final class SeedRandom
{
    private $seed;
    private $n = 0;

    public function __construct($seed)
    {
        $this->seed = (string) $seed;
    }

    /** A number in [0, 2^28). */
    public function next()
    {
        $this->n++;
        return hexdec(substr(hash('sha256', $this->seed . ':' . $this->n), 0, 7));
    }

    public function int($min, $max)
    {
        return $min + $this->next() % ($max - $min + 1);
    }

    public function chance($p)
    {
        return $this->next() / 268435456 < $p;
    }

    public function pick(array $items)
    {
        return $items[$this->int(0, count($items) - 1)];
    }
}

$rnd = new SeedRandom('wparchive-2013-spring');
global $wpdb, $wp_rewrite;

$tz = new DateTimeZone('America/New_York');
/** Unix time of a New York wall-clock time. */
function ny_ts($local)
{
    global $tz;
    return (new DateTimeImmutable($local, $tz))->getTimestamp();
}
function ny_date($ts)
{
    global $tz;
    return (new DateTimeImmutable('@' . $ts))->setTimezone($tz)->format('Y-m-d H:i:s');
}
function utc_date($ts)
{
    return gmdate('Y-m-d H:i:s', $ts);
}

// ---------------------------------------------------------------- settings
$options = array(
    'blogname' => 'HIST 210 · The City in History (Spring 2013)',
    'blogdescription' => 'Course blog: readings, field notes and discussion',
    'timezone_string' => 'America/New_York',
    'gmt_offset' => '',
    'date_format' => 'F j, Y',
    'time_format' => 'g:i a',
    'start_of_week' => 1,
    'posts_per_page' => 10,
    'blog_public' => 1,
    'default_comment_status' => 'open',
    'default_ping_status' => 'open',
    'default_pingback_flag' => 0,
    'comment_registration' => 0,
    'require_name_email' => 1,
    'comment_moderation' => 0,
    'comment_previously_approved' => 0,
    'close_comments_for_old_posts' => 0,
    'thread_comments' => 1,
    'thread_comments_depth' => 5,
    'page_comments' => 1,
    'comments_per_page' => 20,
    'default_comments_page' => 'newest',
    'comment_order' => 'asc',
    'show_avatars' => 1,
    'users_can_register' => 0,
);
foreach ($options as $name => $value) {
    update_option($name, $value);
}

$wp_rewrite->set_permalink_structure('/%year%/%monthnum%/%day%/%postname%/');
$wp_rewrite->flush_rules(false);

// The installer's sample content is dated today: remove it.
foreach (array(1, 2, (int) get_option('wp_page_for_privacy_policy')) as $sample_id) {
    if ($sample_id && get_post($sample_id)) {
        wp_delete_post($sample_id, true);
    }
}
update_option('wp_page_for_privacy_policy', 0);

$wpdb->query('START TRANSACTION');
wp_defer_comment_counting(true);
wp_defer_term_counting(true);

// ---------------------------------------------------------------- users
$instructor_id = 1;
wp_update_user(array(
    'ID' => $instructor_id,
    'display_name' => 'Prof. Hélène Marchetti',
    'first_name' => 'Hélène',
    'last_name' => 'Marchetti',
    'nickname' => 'Hélène Marchetti',
    'user_url' => 'https://hmarchetti.example.edu/',
    'description' => 'Instructor, HIST 210.',
));

$student_defs = array(
    array('jalvarez', 'José Álvarez', 'https://jose-writes.example.org/'),
    array('dsokolov', 'Дмитрий Соколов', ''),
    array('asmirnova', 'Анна Смирнова', 'https://anna-s.example.org/'),
    array('zmuller', 'Zoë Müller', ''),
    array('kmensah', 'Kwame Mensah', 'https://kwame.example.net/'),
    array('echen', 'Emily Chen', ''),
    array('ojonsson', 'Ólafur Jónsson', ''),
    array('pnatarajan', 'Priya Natarajan', 'https://priya.example.org/blog/'),
    array('nokafor', 'Ngozi Okafor', ''),
);
$students = array();
foreach ($student_defs as $i => $def) {
    list($login, $display, $url) = $def;
    $parts = explode(' ', $display, 2);
    $uid = wp_insert_user(array(
        'user_login' => $login,
        'user_pass' => 'student-' . $login,
        'user_email' => $login . '@students.example.edu',
        'display_name' => $display,
        'nickname' => $display,
        'first_name' => $parts[0],
        'last_name' => isset($parts[1]) ? $parts[1] : '',
        'user_url' => $url,
        'role' => 'author',
    ));
    if (is_wp_error($uid)) {
        fwrite(STDERR, $uid->get_error_message() . "\n");
        exit(1);
    }
    $students[] = $uid;
    $wpdb->update($wpdb->users, array('user_registered' => sprintf('2013-01-%02d 15:%02d:00', 8 + $i % 3, 10 + $i)), array('ID' => $uid));
}
$wpdb->update($wpdb->users, array('user_registered' => '2013-01-02 14:00:00'), array('ID' => $instructor_id));

$guests = array(
    array('Marie-Claire Fontaine', 'https://mcfontaine.example.org/', 'mcf@example.org'),
    array('Guest reader', '', 'reader@example.com'),
    array('Tomás Ruiz', '', 'tomas@example.com'),
    array('Ирина Волкова', 'https://irina.example.net/', 'irina@example.net'),
    array('Dan (TA)', '', 'dan.ta@example.edu'),
    array('Björn Lindqvist', 'https://bjorn.example.org/notes/', 'bjorn@example.org'),
    array('Aisha Rahman', '', 'aisha@example.com'),
    array('old_student_2012', 'https://hist210-2012.example.edu/', 'alum@example.edu'),
    array('Łukasz Nowak', '', 'lukasz@example.com'),
    array('Curious parent', '', 'parent@example.com'),
);

// ---------------------------------------------------------------- terms
wp_update_term(1, 'category', array('name' => 'Course News', 'slug' => 'course-news'));
$cat_news = 1;
$cat_reading = (int) wp_insert_term('Reading Responses', 'category', array('slug' => 'reading-responses'))['term_id'];
$cat_field = (int) wp_insert_term('Field Notes', 'category', array('slug' => 'field-notes'))['term_id'];
$tag_names = array('urbanism', 'Jane Jacobs', 'maps', 'public space', 'transit', 'gentrification', 'archives', 'walking', 'Paris', 'Москва');
foreach ($tag_names as $tag) {
    wp_insert_term($tag, 'post_tag');
}

// ---------------------------------------------------------------- text
$sentences = array(
    'The reading this week made me rethink how a street works as a shared room.',
    'Jacobs argues that eyes on the street keep a neighbourhood safe, but whose eyes count?',
    'I walked the route from the station to the river and counted the empty storefronts.',
    'Haussmann’s boulevards were built for traffic and for troops, and both still shape Paris.',
    'Our archive visit turned up a 1911 map with streets that no longer exist.',
    'The café on the corner is the only place where the old residents and the students meet.',
    'Transit lines draw the map of who can reach which jobs.',
    'Mumford is gloomier than I expected — the megalopolis as a kind of tomb.',
    'It is striking how often “renewal” meant demolition.',
    'Les passages couverts de Paris sont à la fois rue et intérieur.',
    'Москва строилась кольцами, и это до сих пор видно на карте метро.',
    'I am not sure the author’s evidence supports such a strong claim.',
    'The photographs from the 1970s show the same corner full of people.',
    'Zoning decisions made decades ago still decide where the parks are.',
    'Walking is the slowest way to see a city and the only honest one.',
);
function seed_paragraphs($rnd, $sentences, $count)
{
    $paragraphs = array();
    for ($p = 0; $p < $count; $p++) {
        $s = array();
        $n = $rnd->int(2, 4);
        for ($k = 0; $k < $n; $k++) {
            $s[] = $rnd->pick($sentences);
        }
        $paragraphs[] = implode(' ', $s);
    }
    return $paragraphs;
}

$comment_texts = array(
    'Great post, thanks for sharing!',
    'I had the same reaction to the reading.',
    'Très intéressant ! Merci pour ce résumé. 🙏',
    'Согласен, отличная мысль. Спасибо!',
    'Could you say more about the second point? I did not follow the argument about density.',
    'This reminds me of my own neighbourhood 😂',
    'I disagree a little: the evidence in chapter 3 points the other way.',
    'Nice photos! Where was the second one taken?',
    'See also <a href="https://example.org/city-reading">this article</a>, it covers the same debate.',
    'The <em>exact</em> quote is on p. 42, I think.',
    "Two thoughts.\n\nFirst, the map is from 1911, not 1913.\n\nSecond, the river was moved later.",
    'Ça me rappelle le cours de la semaine dernière.',
    'Wow 🎉🎉 — well argued.',
    'Good question. Let’s discuss it in class on Thursday.',
    'I think you are both right, it depends on the scale.',
    '<blockquote>Eyes on the street</blockquote> is such a good phrase.',
    'Хороший вопрос — я тоже об этом думала.',
    'Adding this to my reading list ✅',
);
$instructor_replies = array(
    'Good point — keep this in mind for the midterm essay.',
    'Exactly. Can you find a second example from the reading?',
    'Interesting! Bring this up in section, please.',
    'Nice work. Remember to cite the page number.',
    'Yes, and Mumford would agree with you here.',
    'Très bien — c’est exactement la question.',
);

// ---------------------------------------------------------------- posts
$start = ny_ts('2013-01-14 09:00:00');
$end = ny_ts('2013-05-10 18:00:00');
// WPARCHIVE_WP_SCALE=N (default 1) makes N times as many posts over the same term, and so about
// N times as many comments: 6 gives 384 posts and 3,143 comments (the re-crawl benchmark).
$scale = max(1, (int) (getenv('WPARCHIVE_WP_SCALE') ?: 1));
$n_posts = 64 * $scale;
$special_titles = array(
    5 => 'Week 5 recap 🎉',
    12 => 'Café culture and the Paris boulevards',
    23 => 'Достоевский и Петербург: город как персонаж',
    34 => 'Naïve questions about “smart quotes” & ampersands',
    47 => 'Zoë’s walk: Montréal ⇄ Toronto 🚶',
);
$news_titles = array(
    'Welcome to HIST 210', 'Week 2: readings and reminders', 'Office hours moved to Wednesday',
    'Midterm essay prompt', 'Library archive visit on Friday', 'Guest lecture next week',
    'Spring break reading (optional)', 'Final project guidelines', 'Peer review groups',
    'Last class: thank you all',
);
$subjects = array(
    'Jacobs on sidewalks', 'Mumford’s megalopolis', 'Haussmann and the boulevards', 'the 1911 city map',
    'the corner café', 'bus route 14', 'the riverfront plan', 'zoning and parks', 'the covered passages',
    'the market on Saturday', 'the old rail yards', 'street names', 'the housing projects',
    'a walk downtown', 'the subway rings', 'public benches', 'the photographs from the 1970s',
    'night streets', 'the university district', 'the demolished quarter', 'the city archive',
    'bridges', 'the new stadium', 'corner shops', 'the ring road', 'allotment gardens',
    'the tram that was removed', 'street lighting', 'the harbour', 'Chicago’s grid',
);
$posts = array();      // published posts, in date order: array(id, ts, author, comments_open)
$post_plan = array();
$news_i = 0;
$reading_i = 0;
$field_i = 0;
for ($i = 0; $i < $n_posts; $i++) {
    $ts = $start + (int) floor(($end - $start) * $i / ($n_posts - 1));
    // Keep times of day between 08:00 and 22:00 New York time.
    $day = ny_date($ts);
    $ts = ny_ts(substr($day, 0, 10) . sprintf(' %02d:%02d:00', $rnd->int(8, 21), $rnd->int(0, 59)));
    $is_news = ($i % 6 === 0) && $news_i < count($news_titles);
    if ($is_news) {
        $title = $news_titles[$news_i++];
        $author = $instructor_id;
        $cats = array($cat_news);
    } else {
        $author = $students[$i % count($students)];
        // Separate subject counters: titles repeat only once field notes run out of subjects
        // (a few do, as on real blogs: their slugs end in -2).
        if ($i % 3 === 1) {
            $title = 'Reading response: ' . $subjects[($reading_i++ * 7) % count($subjects)];
            $cats = array($cat_reading);
        } else {
            $title = 'Field notes: ' . $subjects[($field_i++ * 11 + 3) % count($subjects)];
            $cats = array($cat_field);
        }
        if ($i % 10 === 7) {
            $cats[] = $cat_news; // a few posts in two categories
        }
    }
    if (isset($special_titles[$i])) {
        $title = $special_titles[$i];
    }
    $tags = array();
    $n_tags = $rnd->int(0, 3);
    for ($k = 0; $k < $n_tags; $k++) {
        $tags[$rnd->pick($tag_names)] = true;
    }
    $post_plan[] = array('ts' => $ts, 'title' => $title, 'author' => $author, 'cats' => $cats, 'tags' => array_keys($tags));
}

// Unpublished posts, interleaved by date (they must never be archived).
$hidden_plan = array(
    array('status' => 'draft', 'title' => 'DRAFT: notes for the final exam (do not publish)', 'after' => 40, 'author' => $instructor_id),
    array('status' => 'pending', 'title' => 'Pending: my late field notes', 'after' => 50, 'author' => $students[3]),
    array('status' => 'private', 'title' => 'Private: grading rubric', 'after' => 20, 'author' => $instructor_id),
    array('status' => 'trash', 'title' => 'Oops, posted twice', 'after' => 30, 'author' => $students[5]),
);

function seed_insert_post($args)
{
    $id = wp_insert_post(wp_slash($args), true);
    if (is_wp_error($id)) {
        fwrite(STDERR, 'post: ' . $id->get_error_message() . "\n");
        exit(1);
    }
    return $id;
}

$hidden = array('draft' => array(), 'pending' => array(), 'private' => array(), 'trash' => array());
$posts_hidden_for_comments = array(); // post id => time, for the private and the trashed post
$trash_later = array();
$protected_id = 0;
$sticky_id = 0;
$post_ids = array();
foreach ($post_plan as $i => $plan) {
    $paragraphs = seed_paragraphs($rnd, $sentences, $rnd->int(2, 5));
    // Link back to an earlier post now and then (the archiver sees internal links).
    if ($i > 3 && $i % 4 === 0) {
        $target = $post_ids[$rnd->int(0, $i - 1)];
        $paragraphs[] = sprintf('Compare <a href="%s">%s</a> from earlier in the term.', get_permalink($target), esc_html(get_the_title($target)));
    }
    if (count($paragraphs) > 2 && $i % 3 === 0) {
        array_splice($paragraphs, 1, 0, array('<!--more-->'));
    }
    $args = array(
        'post_type' => 'post',
        'post_status' => 'publish',
        'post_title' => $plan['title'],
        'post_content' => implode("\n\n", $paragraphs),
        'post_author' => $plan['author'],
        'post_date' => ny_date($plan['ts']),
        'post_date_gmt' => utc_date($plan['ts']),
        'post_category' => $plan['cats'],
        'tags_input' => $plan['tags'],
        'comment_status' => 'open',
        'ping_status' => 'open',
    );
    if ($i === 17) {
        // Themes show it as "Protected: Peer feedback for group B".
        $args['post_title'] = 'Peer feedback for group B';
        $args['post_password'] = 'hist210';
    }
    $id = seed_insert_post($args);
    $post_ids[] = $id;
    if ($i === 17) {
        $protected_id = $id;
    } elseif ($i === 0) {
        $sticky_id = $id;
    }
    $posts[] = array('id' => $id, 'ts' => $plan['ts'], 'author' => $plan['author'], 'index' => $i);

    foreach ($hidden_plan as $h) {
        if ($h['after'] !== $i) {
            continue;
        }
        $hts = $plan['ts'] + 3600;
        $hargs = array(
            'post_type' => 'post',
            'post_status' => $h['status'] === 'trash' ? 'publish' : $h['status'],
            'post_title' => $h['title'],
            'post_content' => 'This must not appear in any archive.',
            'post_author' => $h['author'],
            'post_date' => ny_date($hts),
            'post_date_gmt' => $h['status'] === 'draft' || $h['status'] === 'pending' ? '0000-00-00 00:00:00' : utc_date($hts),
            'post_category' => array($cat_news),
        );
        $hid = seed_insert_post($hargs);
        $hidden[$h['status']][] = $hid;
        if ($h['status'] === 'trash') {
            $trash_later[] = $hid;
        }
        if ($h['status'] === 'private' || $h['status'] === 'trash') {
            $posts_hidden_for_comments[$hid] = $hts;
        }
    }
}
update_option('sticky_posts', array($sticky_id));

// Pages (published, by the instructor; the syllabus has a short discussion).
$page_ids = array();
$page_ids[] = seed_insert_post(array(
    'post_type' => 'page',
    'post_status' => 'publish',
    'post_title' => 'Syllabus',
    'post_name' => 'syllabus',
    'post_content' => "<h2>Course description</h2>\n\nHow cities were made and remade, from Haussmann’s Paris to Moscow’s rings.\n\n<h2>Grading</h2>\n\nBlog posts 30%, midterm essay 30%, final project 40%.",
    'post_author' => $instructor_id,
    'post_date' => '2013-01-07 10:00:00',
    'post_date_gmt' => utc_date(ny_ts('2013-01-07 10:00:00')),
    'comment_status' => 'open',
));
$page_ids[] = seed_insert_post(array(
    'post_type' => 'page',
    'post_status' => 'publish',
    'post_title' => 'About this course',
    'post_name' => 'about',
    'post_content' => 'HIST 210 meets Tuesdays and Thursdays. Students post reading responses and field notes here; everyone comments.',
    'post_author' => $instructor_id,
    'post_date' => '2013-01-07 10:30:00',
    'post_date_gmt' => utc_date(ny_ts('2013-01-07 10:30:00')),
    'comment_status' => 'closed',
));

// ---------------------------------------------------------------- media
// Files kept with the posts (issue 14): an image in two sizes (src and srcset) in one post, and a
// PDF handout linked from the syllabus, as files under wp-content/uploads/2013/02/.
$uploads = wp_upload_dir('2013/02');
wp_mkdir_p($uploads['path']);
$seed_files = array(
    'city-map.png' => base64_decode('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='),
    'city-map-300x200.png' => base64_decode('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='),
    'hist210-handout.pdf' => "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
);
foreach ($seed_files as $file => $bytes) {
    file_put_contents($uploads['path'] . '/' . $file, $bytes);
}
$mapped = get_post($post_ids[5]);
$wpdb->update($wpdb->posts, array('post_content' => $mapped->post_content . "\n\n" . sprintf(
    '<img class="size-medium" src="%1$s/city-map-300x200.png" srcset="%1$s/city-map-300x200.png 300w, %1$s/city-map.png 640w" sizes="(max-width: 300px) 100vw, 300px" alt="A map of the city walls" width="300" height="200" />',
    $uploads['url']
)), array('ID' => $mapped->ID));
$syllabus = get_post($page_ids[0]);
$wpdb->update($wpdb->posts, array('post_content' => $syllabus->post_content . "\n\n" . sprintf(
    'The week-by-week handout: <a href="%s/hist210-handout.pdf">hist210-handout.pdf</a>.', $uploads['url']
)), array('ID' => $syllabus->ID));
clean_post_cache($mapped->ID);
clean_post_cache($syllabus->ID);

// Dates in 2013 for "modified" too (WordPress stamps today); a few posts were edited later.
foreach ($posts as $p) {
    $mts = $p['ts'] + ($p['index'] % 7 === 3 ? 3 * 86400 + 1800 : 0);
    $wpdb->update($wpdb->posts, array('post_modified' => ny_date($mts), 'post_modified_gmt' => utc_date($mts)), array('ID' => $p['id']));
}
foreach ($page_ids as $pid) {
    $post = get_post($pid);
    $wpdb->update($wpdb->posts, array('post_modified' => $post->post_date, 'post_modified_gmt' => $post->post_date_gmt), array('ID' => $pid));
}
foreach (array_merge($hidden['private'], $hidden['trash'], $hidden['draft'], $hidden['pending']) as $hid) {
    $post = get_post($hid);
    $wpdb->update($wpdb->posts, array('post_modified' => $post->post_date, 'post_modified_gmt' => get_gmt_from_date($post->post_date)), array('ID' => $hid));
}

// ---------------------------------------------------------------- comments
// Plan every comment first (with a temporary key), then insert them all in date order so that
// comment ids grow with time, as on a real blog. A reply is always later than its parent.
$plan = array();
$key = 0;
$limit_ts = ny_ts('2013-06-28 23:00:00');

function author_fields($who)
{
    global $guests;
    if ($who['kind'] === 'user') {
        $u = get_userdata($who['id']);
        return array(
            'comment_author' => $u->display_name,
            'comment_author_email' => $u->user_email,
            'comment_author_url' => $u->user_url,
            'user_id' => $u->ID,
        );
    }
    $g = $guests[$who['id']];
    return array(
        'comment_author' => $g[0],
        'comment_author_email' => $g[2],
        'comment_author_url' => $g[1],
        'user_id' => 0,
    );
}

function pick_commenter($rnd, $exclude_user = 0)
{
    global $students, $guests, $instructor_id;
    $r = $rnd->int(0, 99);
    if ($r < 20 && $exclude_user !== $instructor_id) {
        return array('kind' => 'user', 'id' => $instructor_id);
    }
    if ($r < 75) {
        do {
            $uid = $rnd->pick($students);
        } while ($uid === $exclude_user);
        return array('kind' => 'user', 'id' => $uid);
    }
    return array('kind' => 'guest', 'id' => $rnd->int(0, count($guests) - 1));
}

function add_comment(&$plan, &$key, $post_id, $ts, $who, $text, $parent_key = null, $depth = 1, $extra = array())
{
    global $limit_ts;
    $k = ++$key;
    $plan[$k] = array_merge(array(
        'key' => $k,
        'post' => $post_id,
        'ts' => min($ts, $limit_ts),
        'who' => $who,
        'text' => $text,
        'parent' => $parent_key,
        'depth' => $depth,
        'type' => 'comment',
        'approved' => '1',
    ), $extra);
    return $k;
}

/** Replies under comment $parent_key, recursively, up to depth 5. */
function add_replies(&$plan, &$key, $rnd, $post_id, $parent_key, $depth, $p)
{
    global $comment_texts, $instructor_replies, $instructor_id;
    if ($depth >= 5) {
        return;
    }
    $n = 0;
    while ($n < 2 && $rnd->chance($p)) {
        $n++;
        $parent = $plan[$parent_key];
        $exclude = $parent['who']['kind'] === 'user' ? $parent['who']['id'] : 0;
        $who = pick_commenter($rnd, $exclude);
        $text = ($who['kind'] === 'user' && $who['id'] === $instructor_id) ? $rnd->pick($instructor_replies) : $rnd->pick($comment_texts);
        $ts = $parent['ts'] + $rnd->int(600, 2 * 86400);
        $k = add_comment($plan, $key, $post_id, $ts, $who, $text, $parent_key, $depth + 1);
        add_replies($plan, $key, $rnd, $post_id, $k, $depth + 1, $p * 0.75);
    }
}

// Top-level comments per post; the busiest posts get more than 20 (2-3 comment pages).
$busy = array(3 => 52, 10 => 44, 22 => 27, 35 => 23);
foreach ($posts as $p) {
    if ($p['id'] === $protected_id) {
        continue;
    }
    $i = $p['index'];
    $top = isset($busy[$i]) ? $busy[$i] : ($i % 9 === 8 ? 0 : $rnd->int(1, 6));
    $ts = $p['ts'];
    for ($c = 0; $c < $top; $c++) {
        $ts += isset($busy[$i]) ? $rnd->int(900, 4 * 3600) : $rnd->int(1800, 20 * 3600);
        $who = pick_commenter($rnd, $p['author']);
        $k = add_comment($plan, $key, $p['id'], $ts, $who, $rnd->pick($comment_texts));
        add_replies($plan, $key, $rnd, $p['id'], $k, 1, isset($busy[$i]) ? 0.3 : 0.5);
    }
}

// Deep debates: exactly five levels, alternating a student and the instructor.
foreach (array(2, 14, 40) as $n => $i) {
    $p = $posts[$i];
    $student = $students[($n * 4 + 1) % count($students)];
    $ts = $p['ts'] + 5 * 3600;
    $parent = null;
    for ($depth = 1; $depth <= 5; $depth++) {
        $who = $depth % 2 === 1 ? array('kind' => 'user', 'id' => $student) : array('kind' => 'user', 'id' => $instructor_id);
        $text = $depth % 2 === 1 ? $rnd->pick($comment_texts) : $rnd->pick($instructor_replies);
        $ts += $rnd->int(1200, 6 * 3600);
        $parent = add_comment($plan, $key, $p['id'], $ts, $who, $text, $parent, $depth);
    }
}

// The syllabus page: questions and answers.
$syllabus = $page_ids[0];
$ts = ny_ts('2013-01-08 11:00:00');
foreach (array(1, 2, 3) as $n) {
    $ts += $rnd->int(3600, 86400);
    $q = add_comment($plan, $key, $syllabus, $ts, array('kind' => 'user', 'id' => $students[$n * 2]), 'Is the final project individual or in groups?');
    add_comment($plan, $key, $syllabus, $ts + 3 * 3600, array('kind' => 'user', 'id' => $instructor_id), $rnd->pick($instructor_replies), $q, 2);
}

// Pingbacks: some from later posts of this blog (their content links here), some from
// elsewhere; and one trackback.
$ping_pairs = array(array(4, 9), array(10, 25), array(22, 30), array(3, 44), array(35, 60));
foreach ($ping_pairs as $pair) {
    list($to_i, $from_i) = $pair;
    $to = $posts[$to_i];
    $from = $posts[$from_i];
    $from_post = get_post($from['id']);
    wp_update_post(wp_slash(array(
        'ID' => $from['id'],
        'post_content' => $from_post->post_content . "\n\n" . sprintf('As <a href="%s">we saw before</a>, the question is still open.', get_permalink($to['id'])),
    )));
    add_comment($plan, $key, $to['id'], $from['ts'] + 120, null, '[&#8230;] As we saw before, the question is still open. [&#8230;]', null, 1, array(
        'type' => 'pingback',
        'pingback_from' => $from['id'],
    ));
}
$external_pings = array(
    array(12, 'Urban Notes » On boulevards', 'https://urban-notes.example.org/2013/03/on-boulevards/'),
    array(23, 'Литературный город — о Петербурге', 'https://litgorod.example.net/2013/04/peterburg/'),
    array(47, 'Walking Toronto | A walk across two cities', 'https://walkingto.example.com/2013/05/two-cities/'),
);
foreach ($external_pings as $ep) {
    add_comment($plan, $key, $posts[$ep[0]]['id'], $posts[$ep[0]]['ts'] + 2 * 86400, null, '[&#8230;] a post worth reading on this very question [&#8230;]', null, 1, array(
        'type' => 'pingback',
        'ping_author' => $ep[1],
        'ping_url' => $ep[2],
    ));
}
add_comment($plan, $key, $posts[28]['id'], $posts[28]['ts'] + 3 * 86400, null, 'We linked to your field notes in our own course blog.', null, 1, array(
    'type' => 'trackback',
    'ping_author' => 'HIST 310 at Another College',
    'ping_url' => 'https://hist310.example.edu/2013/04/10/linkroll/',
));

// Must not be archived: unapproved, spam and trashed comments on published posts, and
// approved comments on the private and the to-be-trashed post.
foreach (array(6, 19, 33, 52) as $i) {
    add_comment($plan, $key, $posts[$i]['id'], $posts[$i]['ts'] + 7200, array('kind' => 'guest', 'id' => $rnd->int(0, count($guests) - 1)), 'Awaiting moderation: is this the right place to ask about grades?', null, 1, array('approved' => '0'));
}
foreach (array(8, 27, 55) as $i) {
    add_comment($plan, $key, $posts[$i]['id'], $posts[$i]['ts'] + 9000, null, 'Cheap essays!!! Best prices, visit now', null, 1, array(
        'approved' => 'spam',
        'spam' => true,
    ));
}
add_comment($plan, $key, $posts[9]['id'], $posts[9]['ts'] + 8000, array('kind' => 'guest', 'id' => 1), 'Deleted by the instructor.', null, 1, array('approved' => 'trash'));
foreach ($posts_hidden_for_comments as $hid => $hts) {
    add_comment($plan, $key, $hid, $hts + 3600, array('kind' => 'user', 'id' => $instructor_id), 'Comment on a post that is not public.');
    if (in_array($hid, $trash_later, true)) {
        add_comment($plan, $key, $hid, $hts + 7200, array('kind' => 'user', 'id' => $students[0]), 'You posted this twice 🙂');
    }
}

// Insert in date order.
uasort($plan, function ($a, $b) {
    return $a['ts'] === $b['ts'] ? $a['key'] - $b['key'] : $a['ts'] - $b['ts'];
});
$real = array();
$agent = 'Mozilla/5.0 (Windows NT 6.1; rv:19.0) Gecko/20100101 Firefox/19.0';
foreach ($plan as $k => $c) {
    if ($c['type'] === 'pingback' && isset($c['pingback_from'])) {
        $from = get_post($c['pingback_from']);
        $fields = array(
            'comment_author' => get_bloginfo('name') . ' » ' . $from->post_title,
            'comment_author_email' => '',
            'comment_author_url' => get_permalink($from),
            'user_id' => 0,
        );
    } elseif (isset($c['ping_url'])) {
        $fields = array('comment_author' => $c['ping_author'], 'comment_author_email' => '', 'comment_author_url' => $c['ping_url'], 'user_id' => 0);
    } elseif (!empty($c['spam'])) {
        $fields = array('comment_author' => 'best essays', 'comment_author_email' => 'spam@example.net', 'comment_author_url' => 'https://essays.example.net/', 'user_id' => 0);
    } else {
        $fields = author_fields($c['who']);
    }
    $id = wp_insert_comment(wp_slash(array_merge($fields, array(
        'comment_post_ID' => $c['post'],
        'comment_content' => $c['text'],
        'comment_type' => $c['type'],
        'comment_parent' => $c['parent'] === null ? 0 : $real[$c['parent']],
        'comment_approved' => $c['approved'],
        'comment_date' => ny_date($c['ts']),
        'comment_date_gmt' => utc_date($c['ts']),
        'comment_author_IP' => $fields['user_id'] ? '198.51.100.' . (10 + $fields['user_id']) : '203.0.113.' . (($k % 200) + 1),
        'comment_agent' => $c['type'] === 'comment' ? $agent : 'The Incutio XML-RPC PHP Library -- WordPress/3.5.1',
    ))));
    if (!$id) {
        fwrite(STDERR, "comment insert failed\n");
        exit(1);
    }
    $real[$k] = $id;
}

foreach ($trash_later as $tid) {
    wp_trash_post($tid);
}

// The pingback sources were edited above: put their 2013 modified dates back.
foreach ($ping_pairs as $pair) {
    $from = $posts[$pair[1]];
    $post = get_post($from['id']);
    $wpdb->update($wpdb->posts, array('post_modified' => $post->post_date, 'post_modified_gmt' => $post->post_date_gmt), array('ID' => $from['id']));
}

wp_defer_comment_counting(false);
wp_defer_term_counting(false);

// Publishing queued pings and enclosure checks for the cron; this site must never send any.
$wpdb->query("DELETE FROM $wpdb->postmeta WHERE meta_key IN ('_pingme', '_encloseme', '_trackbackme')");
wp_clear_scheduled_hook('do_pings');
$wpdb->query('COMMIT');

switch_theme('twentytwentyone');
$wp_rewrite->flush_rules(false);
wp_cache_flush();

// ---------------------------------------------------------------- summary
$by_type = array('comment' => 0, 'pingback' => 0, 'trackback' => 0);
$max_depth = 0;
$excluded_comments = array('unapproved' => 0, 'spam' => 0, 'trash' => 0, 'on_hidden_posts' => 0);
$top_level = array();
foreach ($plan as $k => $c) {
    $hidden_post = isset($posts_hidden_for_comments[$c['post']]);
    if ($c['approved'] === '1' && !$hidden_post) {
        $by_type[$c['type']]++;
        $max_depth = max($max_depth, $c['depth']);
        if ($c['parent'] === null) {
            $top_level[$c['post']] = (isset($top_level[$c['post']]) ? $top_level[$c['post']] : 0) + 1;
        }
    } elseif ($hidden_post) {
        $excluded_comments['on_hidden_posts']++;
    } elseif ($c['approved'] === '0') {
        $excluded_comments['unapproved']++;
    } else {
        $excluded_comments[$c['approved']]++;
    }
}
$pages_hist = array();
foreach ($top_level as $post_id => $n) {
    $pages = (int) ceil($n / 20);
    $pages_hist[$pages] = (isset($pages_hist[$pages]) ? $pages_hist[$pages] : 0) + 1;
}
ksort($pages_hist);
$summary = array(
    'users' => 1 + count($students),
    'posts' => count($posts),
    'pages' => count($page_ids),
    'password_protected' => 1,
    'sticky' => 1,
    'categories' => 3,
    'tags' => count($tag_names),
    'comments' => $by_type + array('total' => array_sum($by_type)),
    'max_depth' => $max_depth,
    'posts_by_comment_pages' => $pages_hist,
    'excluded_posts' => array_map('count', $hidden),
    'excluded_comments' => $excluded_comments,
);
$json = wp_json_encode($summary);
update_option('wparchive_seed_summary', $json, false);
update_option('wparchive_seeded', 1);
echo $json, "\n";
