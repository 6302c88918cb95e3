"""The sample course blog's content: the single source of truth the archive is compared against.

Everything is plain data (frozen dataclasses, tuples, aware datetimes in the site's zone,
America/New_York). HTML fields hold what WordPress would output after ``wpautop`` and
``wptexturize``; links to the blog itself are written with the ``HOME`` token, which
``expand(html, home)`` replaces with the served base URL (no trailing slash).

Ids follow WordPress: posts, pages and attachments share one id sequence, comment ids grow
with their dates, ``parent == 0`` marks a top-level comment, and ``user_id == 0`` a guest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import cache

HOME = "{{home}}"
"""Token for the blog's base URL inside HTML fields (see ``expand``)."""


def expand(html: str, home: str) -> str:
    """Replace the ``HOME`` token in an HTML field with the served base URL."""
    return html.replace(HOME, home.rstrip("/"))


def eastern(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A local America/New_York time with its UTC offset (US rules since 2007)."""
    naive = datetime(year, month, day, hour, minute)
    march = datetime(year, 3, 8) + timedelta(days=(6 - datetime(year, 3, 8).weekday()) % 7)
    november = datetime(year, 11, 1) + timedelta(days=(6 - datetime(year, 11, 1).weekday()) % 7)
    summer = march.replace(hour=2) <= naive < november.replace(hour=2)
    return naive.replace(tzinfo=timezone(timedelta(hours=-4 if summer else -5)))


def autop(text: str) -> str:
    """Turn blank-line separated prose into paragraphs the way ``wpautop`` does.

    Lines inside a paragraph are joined with spaces, so the source can stay within the line
    length; blocks that already start with a block tag are kept as they are.
    """
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text.strip())]
    out = []
    for block in blocks:
        joined = " ".join(line.strip() for line in block.splitlines())
        if re.match(r"<(figure|blockquote|ul|ol|h[2-6])\b", joined):
            out.append(joined)
        else:
            out.append(f"<p>{joined}</p>")
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class Site:
    """Blog-wide settings, as in Settings > General / Reading / Discussion."""

    name: str
    tagline: str
    language: str = "en-US"
    timezone: str = "America/New_York"
    wp_version: str = "5.8.3"
    posts_per_page: int = 5
    posts_per_rss: int = 10
    comments_per_page: int = 20
    default_comments_page: str = "oldest"
    comment_order: str = "asc"
    thread_comments_depth: int = 5
    date_format: str = "F j, Y"
    time_format: str = "g:i a"


@dataclass(frozen=True)
class User:
    """A WordPress user; ``slug`` is ``user_nicename`` (used in author archive URLs)."""

    id: int
    login: str
    slug: str
    display_name: str
    role: str
    url: str = ""
    description: str = ""


@dataclass(frozen=True)
class Term:
    """A category (``taxonomy == "category"``) or a tag (``"post_tag"``)."""

    id: int
    taxonomy: str
    slug: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class Media:
    """An image attachment; sizes are served as generated PNGs under ``/wp-content/uploads/``."""

    id: int
    parent: int
    slug: str
    title: str
    file: str
    width: int
    height: int
    alt: str
    caption: str
    author: int
    date: datetime
    sizes: tuple[tuple[str, int, int], ...] = ()


@dataclass(frozen=True)
class Post:
    """A post (``type == "post"``) or a page (``"page"``)."""

    id: int
    type: str
    slug: str
    title: str
    author: int
    date: datetime
    modified: datetime
    content: str
    categories: tuple[int, ...] = ()
    tags: tuple[int, ...] = ()
    comment_status: str = "open"
    ping_status: str = "open"
    menu_order: int = 0


@dataclass(frozen=True)
class Comment:
    """A comment, pingback or trackback (``type``), approved and public.

    ``hostile`` marks content that carries script injection the archive must sanitise.
    """

    id: int
    post: int
    parent: int
    date: datetime
    author_name: str
    author_url: str
    user_id: int
    content: str
    type: str = "comment"
    hostile: bool = False


SITE = Site(
    name="HIST 380: The Soviet Union and the Cold War",
    tagline="Spring 2013 – essays, sources and discussion on Soviet history, 1917–1991",
)

# --------------------------------------------------------------------------- users

WHITBY, ZOE, ANNA, MARCUS, PRIYA, LIAM, DANIEL = 1, 3, 4, 5, 6, 7, 8

USERS: tuple[User, ...] = (
    User(WHITBY, "ewhitby", "ewhitby", "Eleanor Whitby", "instructor",
         url="http://history.example.edu/faculty/whitby/",
         description="Associate Professor of History; teaches Russian and Soviet history."),
    User(ZOE, "znovak", "znovak", "Zoë Novák", "student", url="http://zoenovak.example.net/",
         description="History and Czech double major."),
    User(ANNA, "apetrova", "apetrova", "Анна Петрова", "student",
         description="Exchange student from Saint Petersburg."),
    User(MARCUS, "mbell", "mbell", "Marcus Bell", "student"),
    User(PRIYA, "praman", "praman", "Priya Raman", "student"),
    User(LIAM, "loconnor", "loconnor", "Liam O’Connor", "student"),
    User(DANIEL, "dokafor", "dokafor", "Daniel Okafor", "student",
         description="Auditing the course; comments but has not published a post."),
)

# --------------------------------------------------------------------------- terms

UNCATEGORIZED, ESSAYS, COURSE_NEWS = 1, 3, 4
STALIN, KHRUSHCHEV, BERLIN, HUNGARY, SPACE_RACE = 5, 6, 7, 8, 9
CUBA, PRAGUE_SPRING, PROPAGANDA, GORBACHEV = 10, 11, 12, 13

CATEGORIES: tuple[Term, ...] = (
    Term(UNCATEGORIZED, "category", "uncategorized", "Uncategorized"),
    Term(ESSAYS, "category", "essays", "Essays", "Weekly student essays."),
    Term(COURSE_NEWS, "category", "course-news", "Course News",
         "Announcements and discussion prompts."),
)

TAGS: tuple[Term, ...] = (
    Term(STALIN, "post_tag", "stalin", "Stalin"),
    Term(KHRUSHCHEV, "post_tag", "khrushchev", "Khrushchev"),
    Term(BERLIN, "post_tag", "berlin", "Berlin"),
    Term(HUNGARY, "post_tag", "hungary", "Hungary"),
    Term(SPACE_RACE, "post_tag", "space-race", "space race"),
    Term(CUBA, "post_tag", "cuban-missile-crisis", "Cuban Missile Crisis"),
    Term(PRAGUE_SPRING, "post_tag", "prague-spring", "Prague Spring"),
    Term(PROPAGANDA, "post_tag", "propaganda", "propaganda"),
    Term(GORBACHEV, "post_tag", "gorbachev", "Gorbachev"),
)

# --------------------------------------------------------------------------- media

# Attachments that are not images, by their path under /wp-content/uploads/: type and bytes.
HANDOUT = (
    b"%PDF-1.4\n" + b"% HIST 380 syllabus handout\n" * 24 + b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)
# The About page links the same handout uploaded a second time under another name (the same bytes:
# an archive keeps them once).
FILES: dict[str, tuple[str, bytes]] = {
    "2013/01/hist380-syllabus.pdf": ("application/pdf", HANDOUT),
    "2013/01/hist380-syllabus-1.pdf": ("application/pdf", HANDOUT),
}

MEDIA: tuple[Media, ...] = (
    Media(49, 47, "tanks-on-the-boulevard", "tanks-on-the-boulevard",
          "2013/02/tanks-on-the-boulevard.png", 640, 427,
          alt="Soviet tanks on a Budapest boulevard",
          caption="Soviet tanks on a Budapest boulevard, November 1956.",
          author=LIAM, date=eastern(2013, 2, 26, 16, 5),
          sizes=(("thumbnail", 150, 150), ("medium", 300, 200))),
)

# --------------------------------------------------------------------------- pages

PAGES: tuple[Post, ...] = (
    Post(2, "page", "about", "About", WHITBY, eastern(2013, 1, 14, 10, 0),
         eastern(2013, 1, 14, 10, 0), autop("""
This is the course blog for HIST 380, <em>The Soviet Union and the Cold War</em>, taught in
the spring semester of 2013. Every student writes a short essay each week and comments on at
least two essays by classmates.

The blog is public. Please write for a reader who has not taken the course, cite your sources
at the end of each post, and keep comments courteous: disagree with arguments, not with people.

The syllabus as a handout, for those who missed the first class:
<a href="{{home}}/wp-content/uploads/2013/01/hist380-syllabus-1.pdf">hist380-syllabus-1.pdf</a>.
"""), comment_status="closed", ping_status="closed"),
    Post(5, "page", "syllabus", "Syllabus", WHITBY, eastern(2013, 1, 15, 11, 30),
         eastern(2013, 2, 20, 9, 15), autop("""
<h2>Weekly schedule</h2>

<ul><li>Weeks 1–3: Revolution, civil war and the New Economic Policy</li>
<li>Weeks 4–6: Stalin, collectivisation and the Five-Year Plans</li>
<li>Weeks 7–9: Thaw and crisis: 1956, Sputnik, Berlin and Cuba</li>
<li>Weeks 10–12: Stagnation, Prague 1968 and Afghanistan</li>
<li>Weeks 13–14: Gorbachev and the end of the Union</li></ul>

<h2>Assignments</h2>

Weekly essays (40%), comments on classmates’ essays (20%), the midterm (15%) and a final
project (25%). Essays are due on Tuesdays at midnight; late essays lose a third of a grade
per day. The midterm review questions are posted in week 8.

The whole syllabus as a handout:
<a href="{{home}}/wp-content/uploads/2013/01/hist380-syllabus.pdf">hist380-syllabus.pdf</a>.

Updated February 20: the final project may be a longer essay or an annotated source edition.
"""), comment_status="closed", ping_status="closed", menu_order=1),
)

# --------------------------------------------------------------------------- posts

POSTS: tuple[Post, ...] = (
    Post(12, "post", "welcome-to-hist-380", "Welcome to HIST 380", WHITBY,
         eastern(2013, 1, 22, 9, 30), eastern(2013, 1, 22, 9, 30), autop(f"""
Welcome to the course blog. Over the next fourteen weeks you will each write an essay a week
on the topic of that week’s readings, and you will read and answer each other’s work here in
public.

Before Friday, please log in, fill in your profile (the name you choose is the name readers will
see) and leave a comment on this post introducing yourself. The <a href="{HOME}/syllabus/">
syllabus</a> lists the topics week by week, and the <a href="{HOME}/about/">about page</a>
explains the ground rules.
"""), categories=(COURSE_NEWS,)),
    Post(19, "post", "stalins-five-year-plans-steel-at-any-cost",
         "Stalin’s Five-Year Plans: Steel at Any Cost", MARCUS,
         eastern(2013, 1, 29, 21, 14), eastern(2013, 1, 30, 8, 2), autop("""
When the first Five-Year Plan was announced in 1928 it promised to turn a country of peasants
into an industrial power within a decade. Targets for coal, iron and steel were raised again and
again, and by 1930 the slogan was to fulfil the plan in four years instead of five.

The costs fell on the countryside. Collectivisation took grain to feed the new factory towns and
to pay for imported machinery, and the famine of 1932–1933 followed. Magnitogorsk, a steel
city built from nothing on the steppe, became the symbol of the plan, but many of the people who
built it lived in tents and dugouts for years.

Were the plans a success? Output figures rose sharply, and the industrial base built in the
1930s mattered in the war that followed. But the numbers were often inflated by managers who
feared being called wreckers, and the human cost makes the word success hard to use at all.

Sources: Kotkin, <em>Magnetic Mountain</em>; lecture notes, week 4; the poster “The victory of
the Five-Year Plan is a blow to capitalism” (1932).
"""), categories=(ESSAYS,), tags=(STALIN, PROPAGANDA)),
    Post(26, "post", "the-berlin-blockade-and-the-airlift", "The Berlin Blockade and the Airlift",
         ZOE, eastern(2013, 2, 5, 22, 47), eastern(2013, 3, 14, 11, 20), autop("""
In June 1948 the Soviet administration in Germany closed the roads, railways and canals into
the western sectors of Berlin. The immediate cause was the new Deutsche Mark, introduced in the
western zones without Soviet agreement; the larger cause was the question of what kind of
Germany would emerge from the occupation.

The western allies answered with an airlift. For almost eleven months transport planes landed
at Tempelhof and Gatow every few minutes, carrying coal, flour and dried milk. At its height
the airlift delivered more than the railways had carried before the blockade.

Stalin lifted the blockade in May 1949. It had failed to force the western powers out of the
city, and it had helped to create the two things Moscow most wanted to avoid: a West German
state and the North Atlantic alliance.

Edit, March 14: corrected the date the blockade ended, thanks to the comments below.
"""), categories=(ESSAYS,), tags=(BERLIN,)),
    Post(33, "post", "khrushchev-and-the-secret-speech", "Khrushchev & the Secret Speech", ANNA,
         eastern(2013, 2, 12, 19, 5), eastern(2013, 2, 12, 19, 5), autop("""
On the night of 24–25 February 1956, at a closed session of the Twentieth Party Congress,
Nikita Khrushchev spoke for four hours on “the cult of personality and its consequences”
(«О культе личности и его последствиях»). He read out Lenin’s testament, described the torture
of loyal communists and blamed Stalin for the disasters of 1941.

The speech was secret only in name. It was read aloud at party meetings across the country, and
within weeks a copy had reached the West. In my family the story is that my great-grandmother
heard it at her factory and went home without saying a word to anyone.

Khrushchev attacked Stalin, not the system. The speech said nothing about collectivisation or
the famine, and it presented the party as Stalin’s victim rather than his instrument. That
limit would be tested within the year in Poland and in Hungary.
"""), categories=(ESSAYS,), tags=(KHRUSHCHEV, STALIN)),
    Post(41, "post", "sputnik-and-the-space-race", "Sputnik and the Space Race", PRIYA,
         eastern(2013, 2, 19, 23, 58), eastern(2013, 2, 19, 23, 58), autop("""
On 4 October 1957 a polished metal sphere the size of a beach ball went into orbit and began to
broadcast a simple radio signal. Sputnik weighed 84 kilograms and did nothing but beep, yet it
shocked the United States more than any Soviet weapon had.

The shock was about rockets. A launcher that could put a satellite in orbit could carry a
warhead to any American city, and the Soviet Union had tested such a missile only weeks before.
American newspapers wrote of a “missile gap”, and Congress funded science education and a new
space agency within a year.

Soviet propaganda made the most of it. Sputnik appeared on stamps, posters and sweet wrappers,
and Gagarin’s flight in 1961 was presented as proof that socialism was the future. The race was
as much about the story each side told as about the hardware.
"""), categories=(ESSAYS,), tags=(SPACE_RACE, PROPAGANDA)),
    Post(47, "post", "budapest-1956-hungary-and-the-soviet-intervention",
         "Budapest, 1956: Hungary and the Soviet Intervention", LIAM,
         eastern(2013, 2, 26, 16, 20), eastern(2013, 2, 27, 14, 2), autop(f"""
The Hungarian revolution began on 23 October 1956 as a student march in support of the reform
movement in Poland. By evening the crowd had pulled down the giant statue of Stalin in the city
park, and shooting had broken out at the radio building.

<figure id="attachment_49" aria-describedby="caption-attachment-49" style="width: 300px"
class="wp-caption aligncenter"><a
href="{HOME}/2013/02/26/budapest-1956-hungary-and-the-soviet-intervention/tanks-on-the-boulevard/"
rel="attachment wp-att-49"><img class="size-medium wp-image-49"
src="{HOME}/wp-content/uploads/2013/02/tanks-on-the-boulevard-300x200.png"
srcset="{HOME}/wp-content/uploads/2013/02/tanks-on-the-boulevard-300x200.png 300w,
{HOME}/wp-content/uploads/2013/02/tanks-on-the-boulevard.png 640w" sizes="(max-width: 300px) 100vw, 300px"
alt="Soviet tanks on a Budapest boulevard" width="300" height="200" /></a><figcaption
id="caption-attachment-49" class="wp-caption-text">Soviet tanks on a Budapest boulevard,
November 1956.</figcaption></figure>

Imre Nagy returned as prime minister and, pushed by the crowds and the workers’ councils, went
further than Moscow could accept: he announced a multi-party government, and on 1 November he
declared Hungary neutral and its withdrawal from the Warsaw Pact.

On 4 November Soviet forces returned in strength. János Kádár formed a new government under
their protection, thousands were killed in the fighting, and some two hundred thousand people
fled to Austria. Nagy was tried in secret and executed in 1958.

The West protested but did nothing. The Suez crisis divided the western allies in the same
weeks, and no American government was willing to risk war over a country inside the Soviet
sphere. The lesson drawn in Eastern Europe was that the limits of the thaw would be set in
Moscow. Compare <a href="{HOME}/2013/02/12/khrushchev-and-the-secret-speech/">Anna’s post on
the Secret Speech</a>, and for the Hungarian side see
<a href="http://www.example.org/hungary-1956/radio">the last radio broadcasts</a>.
"""), categories=(UNCATEGORIZED,), tags=(HUNGARY, KHRUSHCHEV)),
    Post(54, "post", "midterm-review-questions", "Midterm Review Questions", WHITBY,
         eastern(2013, 3, 5, 20, 40), eastern(2013, 3, 5, 20, 40), autop("""
The midterm is on Thursday, March 14. Two of the following questions will appear on the exam;
you will answer one of them in a fifty-minute essay.

1. How far did the New Economic Policy represent a retreat from the goals of 1917?

2. Why did collectivisation provoke such resistance, and how did the state overcome it?

3. What did the Secret Speech change, and what did it leave untouched?

4. Compare the Soviet responses to Poland and to Hungary in 1956.

Comments are closed on this post: please bring questions to office hours or to Thursday’s
review session.
"""), categories=(COURSE_NEWS,), comment_status="closed", ping_status="closed"),
    Post(60, "post", "thirteen-days-in-october-seen-from-moscow",
         "Thirteen Days in October, Seen from Moscow", ZOE,
         eastern(2013, 3, 12, 22, 10), eastern(2013, 3, 12, 22, 10), autop("""
American accounts of the Cuban missile crisis begin on 16 October 1962, when Kennedy was shown
the photographs of the missile sites. Seen from Moscow the story starts earlier, with the Bay of
Pigs, the Jupiter missiles in Turkey and Khrushchev’s belief that Kennedy could be pushed.

Khrushchev’s letters of 26 and 27 October read very differently. The first is personal and
almost desperate; the second, written after the Politburo met, asks publicly for the Turkish
missiles to be removed. The deal that ended the crisis contained both: a public pledge not to
invade Cuba and a private promise about Turkey.

In Moscow the outcome looked like a retreat. Castro was furious at not being consulted, and
two years later Khrushchev’s colleagues listed “adventurism” among the reasons for removing
him.
"""), categories=(ESSAYS,), tags=(CUBA, KHRUSHCHEV)),
    Post(68, "post", "berlin-1961-a-wall-overnight", "Berlin 1961: A Wall Overnight", MARCUS,
         eastern(2013, 3, 19, 18, 45), eastern(2013, 3, 19, 18, 45), autop(f"""
By the summer of 1961 some two thousand East Germans were leaving for the West every day,
most of them through the open border in Berlin. Many were young and skilled, and the East German
economy could not survive the loss for long.

In the early hours of 13 August police and soldiers strung barbed wire along the sector
boundary. Within days the wire was replaced by concrete blocks, and houses on the border had
their windows bricked up. Ulbricht had asked for this for months; Khrushchev agreed because it
stabilised East Germany without a war over the city.

As <a href="{HOME}/2013/02/05/the-berlin-blockade-and-the-airlift/">Zoë wrote about the
blockade</a>, Berlin had been the place where the Cold War was tested since 1948. The wall
settled the question by admitting defeat: a state that had to wall in its own citizens had lost
the argument, even if it kept the territory.
"""), categories=(ESSAYS,), tags=(BERLIN, KHRUSHCHEV)),
    Post(75, "post", "week-10-discussion-was-the-cold-war-inevitable",
         "Week 10 Discussion: Was the Cold War Inevitable?", WHITBY,
         eastern(2013, 3, 26, 14, 0), eastern(2013, 3, 26, 14, 0), autop("""
Instead of an essay this week, answer the question in the title in a comment of a paragraph or
two. Take a position, and support it with one piece of evidence from the readings.

Some places to start: Stalin’s election speech of February 1946, Kennan’s Long Telegram, the
Novikov telegram from Washington, and the debates over the Marshall Plan in 1947. Reply to at
least one classmate as well.
"""), categories=(COURSE_NEWS,)),
    Post(83, "post", "prague-spring-socialism-with-a-human-face",
         "Prague Spring: Socialism with a Human Face", ANNA,
         eastern(2013, 4, 2, 21, 30), eastern(2013, 4, 2, 21, 30), autop("""
In January 1968 Alexander Dubček became first secretary of the Czechoslovak party. Within months
censorship had been lifted, the party’s Action Programme promised “socialism with a human
face”, and newspapers were printing debates that would have been unthinkable a year before.

Unlike Nagy in 1956, Dubček never proposed leaving the Warsaw Pact. What alarmed Moscow was the
loss of the party’s control over the press and the example it set for Poland, East Germany and
Ukraine. On the night of 20–21 August troops from five Warsaw Pact countries crossed the border.

The invasion met little armed resistance but much improvisation: road signs were turned around
and people argued with the soldiers in Russian. In Moscow eight people protested on Red Square
on 25 August with a banner reading «За вашу и нашу свободу», “for your freedom and ours”.
"""), categories=(ESSAYS,), tags=(PRAGUE_SPRING,)),
    Post(90, "post", "posters-slogans-and-the-brezhnev-years",
         "Posters, Slogans and the Brezhnev Years", PRIYA,
         eastern(2013, 4, 9, 20, 5), eastern(2013, 4, 9, 20, 5), autop("""
Posters from the 1920s and 1930s are loud: red wedges, factories, enemies being swept away.
Posters from the Brezhnev years are quieter. They show families, new apartment blocks and
smiling workers under slogans such as “The people and the party are one”.

The change says something about the regime. After 1964 the promise was no longer a revolution
but stability: secure jobs, cheap bread and a gradually improving standard of living. The
posters became routine because the message had become routine.

I looked at a collection of posters from 1970 to 1982 in the library’s digital archive (see
<a href="http://www.example.org/poster-archive/brezhnev">the poster archive</a>); the most common
words in the slogans were “peace”, “labour” and “the Five-Year Plan”.
"""), categories=(ESSAYS,), tags=(PROPAGANDA,)),
    Post(97, "post", "afghanistan-1979-the-last-intervention",
         "Afghanistan, 1979: The Last Intervention", LIAM,
         eastern(2013, 4, 16, 23, 10), eastern(2013, 4, 16, 23, 10), autop("""
The Politburo decided to send troops into Afghanistan in December 1979 after months of refusing
the Afghan communists’ requests. The deciding argument was fear that Hafizullah Amin would turn
to the United States; the troops were expected to stay for a few months.

They stayed for nine years. Some fifteen thousand Soviet soldiers died, and the war became a
symbol of everything wrong with the late Soviet state: official silence, veterans ignored on
their return and a leadership too old to change course.

Gorbachev called the war a “bleeding wound” in 1986 and the last troops crossed the bridge at
Termez in February 1989. Unlike Hungary and Czechoslovakia, this intervention ended in
withdrawal, and that was noticed in Warsaw and Berlin.
"""), categories=(ESSAYS,), tags=(GORBACHEV,)),
    Post(104, "post", "final-project-glasnost-perestroika-and-the-end-of-the-union",
         "Final Project: Glasnost, Perestroika and the End of the Union", ZOE,
         eastern(2013, 4, 23, 17, 25), eastern(2013, 4, 30, 10, 0), autop("""
For my final project I read a year of letters to the editor of the magazine <em>Ogonyok</em>,
from the spring of 1987 to the spring of 1988, to see what glasnost (гласность) meant to the
people who used it.

The letters began with safe targets: corrupt officials, shortages and bad housing. Within months
readers were writing about the famine, the camps and the war in Afghanistan, and asking why
these things had been hidden. Openness, meant to shake up a sluggish bureaucracy, became a
collective re-reading of Soviet history.

<blockquote>“We were told for seventy years that everything was fine. Now we are told that
nothing was. Which should I believe?” (letter from a reader in Kharkiv, 1988)</blockquote>

Perestroika, the economic reform, failed on its own terms. Glasnost succeeded too well: by
1991 the party had lost not only its monopoly on power but its monopoly on the past.
"""), categories=(ESSAYS, COURSE_NEWS), tags=(GORBACHEV, PROPAGANDA)),
)

# --------------------------------------------------------------------------- comments


@cache
def user(user_id: int) -> User:
    """The user with this id."""
    return next(u for u in USERS if u.id == user_id)


def _by(cid: int, post: int, parent: int, when: datetime, user_id: int, text: str) -> Comment:
    """A comment by a logged-in user: name and URL come from the user's profile."""
    who = user(user_id)
    return Comment(cid, post, parent, when, who.display_name, who.url, user_id, autop(text))


def _guest(cid: int, post: int, parent: int, when: datetime, name: str, url: str, text: str,
           kind: str = "comment", hostile: bool = False) -> Comment:
    """A comment, pingback or trackback left without an account."""
    return Comment(cid, post, parent, when, name, url, 0, autop(text), kind, hostile)


TOMASZ = ("Tomasz Wróbel", "http://wrobel.example.org/")
RUTH = ("Ruth Adler", "http://ruthadler.example.com/blog/")

HOSTILE_SNIPPETS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    'href="javascript:alert(1)"',
)
"""Markup inside the hostile comment that must never survive sanitising."""

_WEEK10 = 75
_WEEK10_ANSWERS: tuple[tuple[int, datetime, int | tuple[str, str], str], ...] = (
    # (comment id, date, user id or (guest name, guest url), text); all top-level.
    (180, eastern(2013, 3, 27, 9, 5), PRIYA, """
Not inevitable, but very likely once the war ended with the Red Army in the middle of Europe.
Kennan’s Long Telegram already treats Soviet expansion as a fact of nature."""),
    (181, eastern(2013, 3, 27, 10, 40), LIAM, """
I think it was inevitable in Germany and nowhere else. Everything else followed from the
argument over reparations and the future German state."""),
    (182, eastern(2013, 3, 27, 12, 15), ("Hiroshi Tanaka", ""), """
Reading from Tokyo: the Cold War in Asia started with the Korean War, not with Europe, and
there it was a choice made in 1950 (朝鮮戦争), not a necessity."""),
    (183, eastern(2013, 3, 27, 15, 30), ANNA, """
The Novikov telegram shows the same fear on the Soviet side as Kennan’s does on the American.
Two mirrors do not make anything inevitable, but they make it hard to stop."""),
    (184, eastern(2013, 3, 27, 18, 2), ZOE, """
Inevitable is too strong. The Marshall Plan was offered to the whole of Europe, and
Czechoslovakia first accepted it before Moscow told it to refuse."""),
    (185, eastern(2013, 3, 27, 21, 47), MARCUS, """
A clash of interests was inevitable; a forty-year armed stand-off was not. Nuclear weapons
turned a rivalry into something that could not be ended by a war."""),
    (186, eastern(2013, 3, 28, 8, 12), DANIEL, """
I’d say yes, because each side believed its system had to spread to survive. Stalin’s 1946
speech says war is built into capitalism."""),
    (187, eastern(2013, 3, 28, 9, 55), TOMASZ, """
From Poland it looked inevitable from 1944 on. The Lublin committee was installed before the
war ended, whatever was signed at Yalta."""),
    (188, eastern(2013, 3, 28, 11, 20), PRIYA, """
Replying to Daniel: Stalin also expected the capitalist powers to fight each other, not him.
That is not the belief of someone planning a global confrontation."""),
    (189, eastern(2013, 3, 28, 13, 41), RUTH, """
As someone who remembers the duck-and-cover drills, I never thought it was inevitable. It felt
like something politicians chose every morning."""),
    (190, eastern(2013, 3, 28, 15, 3), LIAM, """
The Truman Doctrine speech (March 1947) is the moment for me: it turned a dispute about Greece
and Turkey into a struggle between two ways of life."""),
    (191, eastern(2013, 3, 28, 16, 48), ANNA, """
Моя бабушка говорила: «лишь бы не было войны» – “if only there is no war”. For her generation
the Cold War was the price of that, and they accepted it."""),
    (192, eastern(2013, 3, 28, 19, 30), ZOE, """
Agree with Marcus about nuclear weapons. Without them the Berlin crises might have ended in a
short war, and the whole story would have been different."""),
    (193, eastern(2013, 3, 28, 22, 16), MARCUS, """
One more point: the Soviet Union refused to join the IMF and the World Bank in 1945–46. That
was a choice, and it shut the door on economic cooperation early."""),
    (194, eastern(2013, 3, 29, 7, 58), DANIEL, """
After reading the replies I would change my answer to “very likely”. The ideologies made it
likely, the decisions of 1947 made it certain."""),
    (195, eastern(2013, 3, 29, 10, 25), ("Jonas Weber", "http://jonasweber.example.net/"), """
Visiting from the German history seminar: the Soviet note of March 1952 offering a neutral
united Germany is the best counter-example. Was it a real chance or a manoeuvre?"""),
    (196, eastern(2013, 3, 29, 12, 40), PRIYA, """
Jonas, our reading says most historians see the 1952 note as a manoeuvre to stop West German
rearmament, but the debate is still open."""),
    (197, eastern(2013, 3, 29, 15, 12), LIAM, """
For the record I am now persuaded it was not inevitable, just overdetermined. Good
discussion, everyone."""),
    (198, eastern(2013, 3, 29, 23, 50), ANNA, """
Last answer of the week: the question assumes the Cold War had one cause. It had many
small ones, each of which could have gone differently."""),
)

COMMENTS: tuple[Comment, ...] = (
    # Welcome to HIST 380 (12): the instructor is the post author here.
    _by(101, 12, 0, eastern(2013, 1, 22, 11, 5), ZOE, """
Hi everyone! I’m Zoë, a junior in history and Czech. My grandparents left Prague in 1968, so I
am especially looking forward to week 11."""),
    _by(102, 12, 101, eastern(2013, 1, 22, 12, 40), WHITBY, """
Welcome, Zoë. Family history is a good way into the period; think about interviewing your
grandparents for the final project."""),
    _by(103, 12, 0, eastern(2013, 1, 22, 20, 15), MARCUS, """
Marcus here, economics major. I took the survey course last year and wanted to go deeper into
the planned economy."""),
    _by(104, 12, 0, eastern(2013, 1, 23, 8, 30), ANNA, """
Здравствуйте! I am Anna, an exchange student from Saint Petersburg. It will be strange and
interesting to study my own country’s history in English."""),
    _by(105, 12, 104, eastern(2013, 1, 23, 9, 10), WHITBY, """
Добро пожаловать, Anna! Your perspective will be valuable; please correct us when we get the
Russian wrong."""),
    # Stalin's Five-Year Plans (19): a three-level thread ending with the post author.
    _by(110, 19, 0, eastern(2013, 1, 30, 10, 12), ZOE, """
Good summary. Do you think the famine was a planned result or a side effect of the grain
targets? The readings disagree."""),
    _by(111, 19, 110, eastern(2013, 1, 30, 14, 30), WHITBY, """
Zoë raises the key question. Marcus, your essay should say where you stand on it, with
evidence; the grain procurement figures are a good place to look."""),
    _by(112, 19, 111, eastern(2013, 1, 30, 19, 2), MARCUS, """
Thanks, both. I lean towards “foreseeable and accepted” rather than planned, because
procurement went on after the reports of starvation. I will add that in my revision."""),
    _by(113, 19, 0, eastern(2013, 1, 31, 9, 45), DANIEL, """
The part about managers inflating figures reminded me of the joke: “We pretend to work and they
pretend to pay us.” Though that one is from much later."""),
    # The Berlin Blockade (26): feedback, a reply by the author, and an outside pingback.
    _by(120, 26, 0, eastern(2013, 2, 6, 9, 20), WHITBY, """
Clear and well organised. Check the date in your third paragraph: the blockade was lifted in
May 1949, but the airlift continued until September."""),
    _by(121, 26, 0, eastern(2013, 2, 6, 16, 44), PRIYA, """
I did not know the airlift carried more than the trains had. Do you have the tonnage
figures?"""),
    _by(122, 26, 121, eastern(2013, 2, 6, 21, 3), ZOE, """
Priya, the peak was in April 1949, almost 13,000 tons in a single day (the “Easter
Parade”)."""),
    _guest(123, 26, 0, eastern(2013, 2, 8, 13, 15), "Airlift Arithmetic « Cold War Notebook",
           "http://coldwarnotebook.example.net/2013/02/08/airlift-arithmetic/", """
[&#8230;] Zoë Novák has a clear account of the blockade over on the HIST 380 course blog, and
the tonnage figures are worth a second look [&#8230;]""", kind="pingback"),
    # Khrushchev & the Secret Speech (33): a guest thread three levels deep.
    _guest(130, 33, 0, eastern(2013, 2, 13, 7, 58), *TOMASZ, """
In Poland the speech had the biggest effect of all: the Polish party printed extra copies and
they were sold at markets. That is how Październik 1956 began."""),
    _by(131, 33, 130, eastern(2013, 2, 13, 12, 30), ANNA, """
Tomasz, thank you. I read that the copy that reached the CIA came from Poland, through
Israel. Is that the story you know?"""),
    _guest(132, 33, 131, eastern(2013, 2, 13, 18, 5), *TOMASZ, """
Yes, that is the usual version: a journalist in Warsaw saw it on a desk and borrowed it for an
afternoon. Nobody in Warsaw seems to have tried very hard to keep it secret."""),
    _by(133, 33, 0, eastern(2013, 2, 14, 10, 0), WHITBY, """
A strong essay, and the family story is a good touch. Your last paragraph makes the key point;
expand it into your argument rather than a conclusion."""),
    _by(134, 33, 0, eastern(2013, 2, 14, 22, 41), LIAM, """
Do we know how ordinary party members reacted when it was read to them? I would have guessed
relief."""),
    # Sputnik (41).
    _by(140, 41, 0, eastern(2013, 2, 20, 10, 30), MARCUS, """
The sweet wrappers detail is great. Do you have an image of one?"""),
    _guest(141, 41, 0, eastern(2013, 2, 21, 2, 14), "Hiroshi Tanaka", "", """
In Japan the newspapers of October 1957 called it 人工衛星 (“artificial moon”), and the shock
was about science, not missiles."""),
    _by(142, 41, 0, eastern(2013, 2, 21, 9, 0), WHITBY, """
Good use of the missile gap. Remember that the gap ran the other way: in 1960 the United States
had far more intercontinental missiles."""),
    _by(143, 41, 142, eastern(2013, 2, 21, 17, 20), PRIYA, """
Thanks, I had not realised that. I will add a sentence about the U-2 photographs that showed
it."""),
    # Budapest, 1956 (47): feedback thread three levels deep.
    _by(150, 47, 0, eastern(2013, 2, 27, 8, 55), WHITBY, """
This recounts the events well. Two things need more attention: how far the Secret Speech
encouraged reformers to test the limits, and why the United States would not risk a war to
back its talk of liberation."""),
    _by(151, 47, 150, eastern(2013, 2, 27, 13, 10), LIAM, """
I added a paragraph on the western response. Is Suez enough of an explanation, or was the
decision already made before it?"""),
    _by(152, 47, 151, eastern(2013, 2, 27, 15, 25), WHITBY, """
Largely made before: Eisenhower had no plan to intervene in Eastern Europe. Suez made it easier
for Moscow to present the invasion as a response to western aggression."""),
    _by(153, 47, 0, eastern(2013, 2, 27, 19, 40), MARCUS, """
It surprised me how quickly Nagy moved from reform to neutrality. Did he have a choice, with
the crowds in the streets?"""),
    _by(154, 47, 0, eastern(2013, 2, 28, 11, 2), ZOE, """
The slogan painted on the walls was „Ruszkik haza!” (“Russians go home!”). My Hungarian
friends call the whole year simply ötvenhat, fifty-six."""),
    # Thirteen Days (60): a trackback from a roundup, and a guest reader.
    _by(160, 60, 0, eastern(2013, 3, 13, 9, 30), WHITBY, """
Excellent use of the two letters. What do you make of the role of Castro’s own letter of 26
October, urging a first strike if Cuba were invaded?"""),
    _by(161, 60, 160, eastern(2013, 3, 13, 12, 0), ZOE, """
I think it frightened Khrushchev more than anything Kennedy said: it showed he might lose
control of the crisis to his own ally."""),
    _by(162, 60, 161, eastern(2013, 3, 13, 16, 45), DANIEL, """
That fits the second letter too; by then Moscow wanted a way out more than a victory."""),
    _guest(163, 60, 0, eastern(2013, 3, 15, 8, 0), "Modern History Roundup",
           "http://roundup.example.org/2013/03/15/week-in-review/", """
<strong>Week in review: Cuba, Berlin and the bomb</strong>

[&#8230;] a student essay on the missile crisis from the Soviet side, with good use of
Khrushchev&#8217;s letters [&#8230;]""", kind="trackback"),
    _guest(164, 60, 0, eastern(2013, 3, 16, 20, 20), *RUTH, """
I was eleven in October 1962 and remember my mother filling the bathtub with water. It is
strange to read the Moscow side of it fifty years later."""),
    # Berlin 1961 (68).
    _by(170, 68, 0, eastern(2013, 3, 20, 10, 10), ZOE, """
Thanks for the link to my post! The last sentence of your essay is a good one."""),
    _by(171, 68, 170, eastern(2013, 3, 20, 12, 22), MARCUS, """
It seemed like the natural sequel. Your tonnage figures helped me explain why the airlift could
not be repeated in 1961."""),
    _by(172, 68, 0, eastern(2013, 3, 21, 8, 40), WHITBY, """
Good. Consider Khrushchev’s ultimatum of 1958; the wall was the end of a three-year crisis,
not a sudden decision."""),
    # Week 10 discussion (75): 25 responses, 22 of them top-level, so two comment pages.
    _by(175, 75, 0, eastern(2013, 3, 26, 15, 10), ZOE, """
No. The wartime alliance could have become a cold peace, as Roosevelt hoped; it took specific
decisions in 1946 and 1947 to turn it into the Cold War."""),
    _by(176, 75, 0, eastern(2013, 3, 26, 16, 25), MARCUS, """
Yes, in the sense that two superpowers with opposite economic systems were bound to compete.
The form it took was not inevitable."""),
    _by(177, 75, 0, eastern(2013, 3, 26, 18, 40), ANNA, """
From the Russian side, the memory of 1941 made a buffer zone in Eastern Europe non-negotiable,
and that alone made conflict with the West very likely."""),
    _by(178, 75, 177, eastern(2013, 3, 26, 20, 5), WHITBY, """
Good point, Anna. Is a buffer zone the same thing as Soviet-style regimes in every country of
the zone, though? Finland is the interesting exception."""),
    _by(179, 75, 178, eastern(2013, 3, 27, 7, 45), ANNA, """
You are right, Finland kept its own system. Maybe the difference was that the Red Army was
not there at the end of the war."""),
    *(_guest(cid, _WEEK10, 0, when, who[0], who[1], text) if isinstance(who, tuple)
      else _by(cid, _WEEK10, 0, when, who, text)
      for cid, when, who, text in _WEEK10_ANSWERS),
    _by(199, 75, 176, eastern(2013, 4, 2, 23, 10), PRIYA, """
Coming back to this late, Marcus: competition, yes, but the Soviet economy was a fraction of
the American one in 1945. Was it really a contest of equals?"""),
    # Prague Spring (83): feedback thread and the hostile comment.
    _by(200, 83, 0, eastern(2013, 4, 3, 9, 0), WHITBY, """
Very good on the difference between 1956 and 1968. Why do you think the Red Square protest was
so small, and what happened to the protesters?"""),
    _by(201, 83, 200, eastern(2013, 4, 3, 13, 15), ANNA, """
They were arrested within minutes; some were sent to psychiatric hospitals. Наталья
Горбаневская brought her baby son in a pram to the demonstration."""),
    _by(202, 83, 201, eastern(2013, 4, 3, 16, 40), WHITBY, """
Yes, and she wrote the account that circulated in samizdat. Worth a paragraph of its own."""),
    _guest(203, 83, 0, eastern(2013, 4, 4, 3, 33), "Essay Helper",
           "http://essay-helper.example.com/", """
Great post!!! <script>alert(1)</script> Need help with your history essays?
<img src=x onerror=alert(1)> Visit <a href="javascript:alert(1)">our essay service</a>
for fast results.""", hostile=True),
    _by(204, 83, 0, eastern(2013, 4, 4, 10, 5), LIAM, """
My Czech roommate says that in Prague people still say Pražské jaro with a mix of pride and
sadness. Nice essay."""),
    # Posters (90).
    _by(210, 90, 0, eastern(2013, 4, 10, 11, 11), MARCUS, """
Counting the words in the slogans is a clever method. Did “communism” itself appear less
often than in the earlier posters?"""),
    _guest(211, 90, 0, eastern(2013, 4, 11, 9, 30), *RUTH, """
I have a poster from a 1979 trip to Leningrad: a smiling woman holding wheat. Exactly the
quiet style you describe."""),
    _by(212, 90, 211, eastern(2013, 4, 11, 14, 0), PRIYA, """
Ruth, that is the classic type! If you could share a photo I would love to add it."""),
    # Afghanistan (97).
    _by(220, 97, 0, eastern(2013, 4, 17, 8, 20), WHITBY, """
Strong conclusion. The comparison with 1956 and 1968 could be developed: what had changed in
Moscow by 1989?"""),
    _by(221, 97, 0, eastern(2013, 4, 17, 21, 45), ANNA, """
My uncle served there. At home nobody talked about it until the late eighties; the word
«афганцы» for the veterans came later."""),
    # Final project (104).
    _by(230, 104, 0, eastern(2013, 4, 24, 10, 0), WHITBY, """
An impressive piece of research, Zoë. The quotation from Kharkiv is a perfect choice; how
representative was it of the letters you read?"""),
    _by(231, 104, 230, eastern(2013, 4, 24, 15, 30), ZOE, """
Fairly typical of 1988. Earlier letters were angrier about the present than about the past;
the turn to history came in the second half of the year."""),
    _by(232, 104, 231, eastern(2013, 4, 24, 17, 5), WHITBY, """
That change over time is your argument. Put it in the first paragraph."""),
    _guest(233, 104, 0, eastern(2013, 4, 25, 8, 15), *TOMASZ, """
Dziękuję for this. The same thing happened in Poland a few years earlier, with the underground
press instead of a state magazine."""),
)

# --------------------------------------------------------------------------- derived views


def all_entries() -> tuple[Post, ...]:
    """Posts and pages together (they share one id sequence)."""
    return POSTS + PAGES


@cache
def entry(entry_id: int) -> Post | None:
    """The post or page with this id, or None."""
    return next((p for p in all_entries() if p.id == entry_id), None)


def posts_newest_first() -> list[Post]:
    """Posts in the order of the home page and the feed."""
    return sorted(POSTS, key=lambda p: p.date, reverse=True)


def term(term_id: int) -> Term:
    """The category or tag with this id."""
    return next(t for t in CATEGORIES + TAGS if t.id == term_id)


def comments_on(post_id: int) -> list[Comment]:
    """All comments, pingbacks and trackbacks on a post, oldest first."""
    return sorted((c for c in COMMENTS if c.post == post_id), key=lambda c: (c.date, c.id))


@cache
def _comments_by_id() -> dict[int, Comment]:
    """Index of all comments by id."""
    return {c.id: c for c in COMMENTS}


def comment(comment_id: int) -> Comment | None:
    """The comment with this id, or None."""
    return _comments_by_id().get(comment_id)


def thread_root(c: Comment) -> Comment:
    """The top-level comment a comment's thread starts from."""
    while c.parent:
        c = _comments_by_id()[c.parent]
    return c


def depth(c: Comment) -> int:
    """Thread depth as ``wp_list_comments`` counts it: 1 for a top-level comment."""
    level = 1
    while c.parent:
        c = _comments_by_id()[c.parent]
        level += 1
    return level


def top_level(post_id: int) -> list[Comment]:
    """Top-level comments of a post, in display order (these are what comment pages count)."""
    return [c for c in comments_on(post_id) if c.parent == 0]


def comment_pages(post_id: int) -> int:
    """How many comment pages the post has (at least 1)."""
    count = len(top_level(post_id))
    return max(1, -(-count // SITE.comments_per_page))


def comment_page(c: Comment) -> int:
    """The comment page a comment is displayed on: that of its top-level ancestor."""
    root = thread_root(c)
    return top_level(root.post).index(root) // SITE.comments_per_page + 1


def utc(when: datetime) -> datetime:
    """The same instant in UTC."""
    return when.astimezone(UTC)


def post_count(term_id: int) -> int:
    """Published posts in a category or tag."""
    return sum(term_id in p.categories + p.tags for p in POSTS)


def authors_with_posts() -> list[User]:
    """Users who published at least one post or page (the only ones REST lists anonymously)."""
    ids = {p.author for p in all_entries()}
    return [u for u in USERS if u.id in ids]


def plain_text(html: str) -> str:
    """Tags stripped and whitespace collapsed (entities are left as they are)."""
    spaced = re.sub(r"</?(p|li|ul|ol|h[1-6]|blockquote|figure|figcaption|br)\b[^>]*>", " ", html)
    return " ".join(re.sub(r"<[^>]+>", "", spaced).split())


def excerpt(post: Post, words: int = 55) -> str:
    """``wp_trim_excerpt``: the first 55 words of the text, captions left out, then `` […]``."""
    body = re.sub(r"<figure\b.*?</figure>", " ", post.content, flags=re.S)
    parts = plain_text(body).split()
    return " ".join(parts[:words]) + (" [&hellip;]" if len(parts) > words else "")
