"""Skins of the two non-press outlets: an agglomeration's Drupal-like newsroom (press releases,
no author, date in visible text only) and a deputy's WordPress-like blog (sidebar, archives,
OpenGraph times, comments area)."""

from __future__ import annotations

from .html_common import BodyStyle, Ctx, Listing, body_html, esc, fr_date, iso_offset, pager
from .world import Article

# ------------------------------------------------------- institution: Cévennes Agglomération


def _agglo_shell(ctx: Ctx, title: str, main: str, canonical: str, body_class: str) -> str:
    menu = "".join(f'<li class="menu-item"><a href="{u}">{esc(n)}</a></li>'
                   for n, u in ctx.sections)
    p = ctx.pages
    return f"""<!DOCTYPE html>
<html lang="fr" dir="ltr">
<head>
<meta charset="utf-8">
<title>{esc(title)} | {esc(ctx.outlet.name)}</title>
<link rel="canonical" href="{canonical}">
<link rel="alternate" type="application/rss+xml" href="{p['feed']}">
</head>
<body class="{body_class}">
<a href="#main-content" class="visually-hidden focusable">Aller au contenu principal</a>
<div class="eu-cookie-compliance-banner"><p>Ce site utilise des traceurs pour améliorer votre
expérience. Vous pouvez les accepter ou les refuser.</p><button>Accepter</button>
<button>Refuser</button></div>
<div class="dialog-off-canvas-main-canvas">
<header role="banner" class="region-header">
<a href="{p['home']}" rel="home" class="site-logo">{esc(ctx.outlet.name)}</a>
<nav role="navigation" aria-label="Menu principal"><ul class="menu">
<li class="menu-item"><a href="{p['home']}">Accueil</a></li>{menu}
<li class="menu-item"><a href="{p['dossier']}">Territoires d'industrie</a></li>
<li class="menu-item"><a href="{p['contact']}">Contact</a></li></ul></nav>
</header>
<div class="layout-container">
<main role="main"><a id="main-content" tabindex="-1"></a>
{main}
</main>
</div>
<footer role="contentinfo" class="region-footer"><p>{esc(ctx.outlet.name)} - 16 communes,
un territoire (agglomération fictive du bac à sable pressarchive)</p>
<ul><li><a href="{p['legal']}">Mentions légales</a></li><li><a href="{p['contact']}">Contact</a>
</li><li><a href="{p['feed']}">Flux RSS des communiqués</a></li></ul></footer>
</div>
</body>
</html>
"""


def agglo_article(ctx: Ctx, art: Article) -> str:
    url = ctx.url(art.path)
    d = art.published
    style = BodyStyle(lead="<p><strong>{}</strong></p>")
    tags = "".join(f'<div class="field__item"><a href="{ctx.tag_url(t)}">{esc(t)}</a></div>'
                   for t in art.tags)
    main = f"""<div class="block-system-breadcrumb-block"><nav class="breadcrumb"><ol>
<li><a href="{ctx.pages['home']}">Accueil</a></li>
<li><a href="{ctx.section_url(art.section, 1)}">Communiqués de presse</a></li></ol></nav></div>
<div class="block-page-title-block">
<h1 class="page-title"><span class="field field--name-title">{esc(art.title)}</span></h1>
</div>
<article role="article" class="node node--type-communique node--view-mode-full">
<div class="node__meta"><span class="label">Communiqué de presse</span> -
<span class="field--name-field-date">Publié le {fr_date(d)} à {d:%H:%M}</span></div>
<div class="node__content">
<div class="clearfix text-formatted field field--name-body field--type-text-with-summary">
{body_html(art.blocks, style)}
</div>
</div>
</article>
<aside class="node__aside">
<div class="field field--name-field-thematiques">{tags}</div>
<div class="field field--name-field-contact-presse"><h2>Contact presse</h2>
<p>Service communication - presse@cevennes-agglo.invalid</p></div>
</aside>"""
    return _agglo_shell(ctx, art.title, main, url, "path-node page-node-type-communique")


def agglo_listing(ctx: Ctx, page: Listing) -> str:
    rows = "".join(
        f'<div class="views-row"><article class="node node--view-mode-teaser">'
        f'<h2><a href="{ctx.url(a.path)}" rel="bookmark">{esc(a.title)}</a></h2>'
        f'<div class="date">{a.published:%d/%m/%Y}</div>'
        f'<div class="field--name-body">{esc(a.lead)}</div></article></div>\n'
        for a in page.items)
    main = (f'<h1 class="page-title">{esc(page.heading)}</h1><div class="view-content">{rows}'
            f"</div>{pager(page.page_urls, page.page, 'pager', '‹ Précédent', 'Suivant ›')}")
    return _agglo_shell(ctx, page.heading, main, page.canonical, "path-communiques")


def agglo_plain(ctx: Ctx, heading: str, paras: list[str], canonical: str) -> str:
    text = "".join(f"<p>{esc(p)}</p>" for p in paras)
    return _agglo_shell(ctx, heading, f'<h1 class="page-title">{esc(heading)}</h1>{text}',
                        canonical, "path-page")


# ------------------------------------------------------------------ blog: the deputy's blog


def _blog_shell(ctx: Ctx, title: str, main: str, canonical: str, head: str = "",
                body_class: str = "home blog") -> str:
    menu = "".join(f'<li class="menu-item"><a href="{u}">{esc(n)}</a></li>'
                   for n, u in ctx.sections)
    p = ctx.pages
    months: dict[str, str] = {}
    for art in reversed(ctx.articles):
        label = fr_date(art.published).split(" ", 1)[1]
        months.setdefault(label, ctx.url(f"/{art.published:%Y/%m}/"))
    archives = "".join(f'<li><a href="{u}">{esc(m)}</a></li>' for m, u in months.items())
    recent = "".join(f'<li><a href="{ctx.url(a.path)}">{esc(a.title)}</a></li>'
                     for a in ctx.latest(5))
    return f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="UTF-8">
<title>{esc(title)} – {esc(ctx.outlet.name)}</title>
<link rel="canonical" href="{canonical}">
<link rel="alternate" type="application/atom+xml" title="Flux Atom" href="{p['feed']}">
{head}</head>
<body class="{body_class}">
<div id="page" class="site">
<header id="masthead" class="site-header">
<p class="site-title"><a href="{p['home']}" rel="home">{esc(ctx.outlet.name)}</a></p>
<p class="site-description">Députée du Tarn - mon action à l'Assemblée et en circonscription</p>
<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">
<li class="menu-item"><a href="{p['home']}">Accueil</a></li>{menu}
<li class="menu-item"><a href="{p['dossier']}">Territoires d'industrie</a></li>
<li class="menu-item"><a href="{p['contact']}">Me contacter</a></li></ul></nav>
</header>
<div id="content" class="site-content">
<div id="primary" class="content-area"><main id="main" class="site-main">
{main}
</main></div>
<aside id="secondary" class="widget-area">
<section class="widget widget_text"><h2 class="widget-title">Mon blog</h2>
<p>Élue députée en 2017, je rends compte ici de mon travail à l'Assemblée nationale et de mes
rencontres en circonscription.</p></section>
<section class="widget widget_media_video"><h2 class="widget-title">Vidéo</h2>
<p>Mon intervention en séance sur l'industrie dans les territoires ruraux (3 min 12).</p></section>
<section class="widget widget_recent_entries"><h2 class="widget-title">Articles récents</h2>
<ul>{recent}</ul></section>
<section class="widget widget_archive"><h2 class="widget-title">Archives</h2><ul>{archives}</ul>
</section></aside>
</div>
<footer id="colophon" class="site-footer"><a href="{p['legal']}">Mentions légales</a> |
Blog fictif du bac à sable pressarchive | Fièrement propulsé par WordPress</footer>
</div>
</body>
</html>
"""


def blog_article(ctx: Ctx, art: Article) -> str:
    url = ctx.url(art.path)
    d = art.published
    head = ['<meta property="og:locale" content="fr_FR">',
            '<meta property="og:type" content="article">',
            f'<meta property="og:title" content="{esc(art.title)}">',
            f'<meta property="og:url" content="{url}">',
            f'<meta property="og:site_name" content="{esc(ctx.outlet.name)}">',
            f'<meta property="article:published_time" content="{iso_offset(d)}">']
    updated = ""
    if art.modified:
        head.append(f'<meta property="article:modified_time" content="{iso_offset(art.modified)}">')
        updated = (f'<time class="updated" datetime="{iso_offset(art.modified)}">'
                   f"{fr_date(art.modified)}</time>")
    style = BodyStyle(heading_attrs=' class="wp-block-heading"',
                      quote='<blockquote class="wp-block-quote"><p>{}</p></blockquote>',
                      list_attrs=' class="wp-block-list"')
    tags = ", ".join(f'<a href="{ctx.tag_url(t)}" rel="tag">{esc(t)}</a>' for t in art.tags)
    pid = art.alt_paths[0].split("=")[1]
    idx = ctx.articles.index(art)
    nav = ""
    if idx > 0:
        prev = ctx.articles[idx - 1]
        nav += f'<div class="nav-previous"><a href="{ctx.url(prev.path)}" rel="prev">{esc(prev.title)}</a></div>'
    if idx + 1 < len(ctx.articles):
        nxt = ctx.articles[idx + 1]
        nav += f'<div class="nav-next"><a href="{ctx.url(nxt.path)}" rel="next">{esc(nxt.title)}</a></div>'
    count = (f"{art.comments} réflexion{'s' if art.comments > 1 else ''} sur « {esc(art.title)} »"
             if art.comments else "Aucun commentaire")
    main = f"""<article id="post-{pid}" class="post-{pid} post type-post status-publish format-standard">
<header class="entry-header">
<h1 class="entry-title">{esc(art.title)}</h1>
<div class="entry-meta"><span class="posted-on">Publié le <a href="{url}" rel="bookmark">
<time class="entry-date published" datetime="{iso_offset(d)}">{fr_date(d)}</time>{updated}</a></span>
<span class="byline"> par <span class="author vcard">{esc(art.authors[0])}</span></span></div>
</header>
<div class="entry-content">
{body_html(art.blocks, style)}
</div>
<footer class="entry-footer"><span class="cat-links">Publié dans
<a href="{ctx.section_url(art.section, 1)}" rel="category tag">{esc(art.section_name)}</a></span>
<span class="tags-links">Étiquettes : {tags}</span></footer>
</article>
<nav class="navigation post-navigation" aria-label="Publications"><h2 class="screen-reader-text">
Navigation de l'article</h2><div class="nav-links">{nav}</div></nav>
<div id="comments" class="comments-area"><h2 class="comments-title">{count}</h2>
<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">
Laisser un commentaire</h3><form action="{url}" method="post" id="commentform">
<textarea id="comment" name="comment"></textarea><input name="submit" type="submit"
value="Laisser un commentaire"></form></div></div>"""
    return _blog_shell(ctx, art.title, main, url, "\n".join(head) + "\n",
                       f"post-template-default single single-post postid-{pid}")


def blog_listing(ctx: Ctx, page: Listing) -> str:
    items = "".join(
        f'<article class="post type-post"><header class="entry-header"><h2 class="entry-title">'
        f'<a href="{ctx.url(a.path)}" rel="bookmark">{esc(a.title)}</a></h2>'
        f'<div class="entry-meta">{fr_date(a.published)}</div></header>'
        f'<div class="entry-summary"><p>{esc(a.lead)} […]</p></div></article>\n'
        for a in page.items)
    title = "" if page.kind == "home" else (
        f'<header class="page-header"><h1 class="page-title">{esc(page.heading)}</h1></header>')
    main = title + items + pager(page.page_urls, page.page, "navigation pagination",
                                 "Articles plus récents", "Articles plus anciens")
    cls = "home blog" if page.kind == "home" else "archive category"
    return _blog_shell(ctx, page.heading, main, page.canonical, body_class=cls)


def blog_plain(ctx: Ctx, heading: str, paras: list[str], canonical: str) -> str:
    text = "".join(f"<p>{esc(p)}</p>" for p in paras)
    main = (f'<article class="page"><header class="entry-header"><h1 class="entry-title">'
            f'{esc(heading)}</h1></header><div class="entry-content">{text}</div></article>')
    return _blog_shell(ctx, heading, main, canonical, body_class="page-template-default page")
