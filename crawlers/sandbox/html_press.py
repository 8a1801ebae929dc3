"""Skins of the three press outlets: a modern daily (JSON-LD), a legacy latin-1 weekly
(visible date only) and a SPIP-like business magazine (OpenGraph + 'Publié le ... par').

Each skin has its own markup, class names and boilerplate so that extraction is tested
against different layouts; the article body markup is the only part that carries truth.
"""

from __future__ import annotations

import json

from .html_common import BodyStyle, Ctx, Listing, body_html, byline_names, esc, fr_date, iso_offset, pager
from .world import Article

# ---------------------------------------------------------------- daily: La Voix du Tarn


def _daily_shell(ctx: Ctx, title: str, main: str, canonical: str, head: str = "") -> str:
    nav = "".join(f'<li><a href="{u}">{esc(n)}</a></li>' for n, u in ctx.sections)
    p = ctx.pages
    return f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} | {esc(ctx.outlet.name)}</title>
<link rel="canonical" href="{canonical}">
<link rel="alternate" type="application/rss+xml" title="À la une" href="{p['feed']}">
{head}</head>
<body class="vdt-site">
<div id="cmp-banner" class="cookie-banner" role="dialog">
<p>Nous utilisons des cookies pour mesurer l'audience et vous proposer des contenus adaptés.
<a href="{p['legal']}">En savoir plus</a></p>
<button type="button">Tout accepter</button> <button type="button">Paramétrer</button>
</div>
<header class="site-header">
<a class="logo" href="{p['home']}">{esc(ctx.outlet.name)}</a>
<nav class="main-nav" aria-label="Rubriques"><ul>{nav}
<li><a href="{p['dossier']}">Dossier Territoires d'industrie</a></li>
<li><a href="{p['search']}">Rechercher</a></li></ul></nav>
</header>
<main id="main" class="container">
{main}
</main>
<section class="newsletter-box"><h2>Newsletter</h2>
<p>Recevez chaque matin l'essentiel de l'actualité du Tarn.</p>
<form action="{p['home']}" method="post"><input type="email" name="email">
<button type="submit">Je m'inscris</button></form></section>
<footer class="site-footer"><ul>
<li><a href="{p['contact']}">Contact</a></li><li><a href="{p['legal']}">Mentions légales</a></li>
<li><a href="{p['feed']}">Flux RSS</a></li></ul>
<p>© {esc(ctx.outlet.name)} - journal fictif du bac à sable pressarchive.</p></footer>
</body>
</html>
"""


def _daily_ld(ctx: Ctx, art: Article, url: str) -> str:
    kind = "Organization" if art.authors == ["Agence Presse Sud"] else "Person"
    data = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": art.title,
        "datePublished": iso_offset(art.published),
        **({"dateModified": iso_offset(art.modified)} if art.modified else {}),
        "author": [{"@type": kind, "name": a} for a in art.authors],
        "articleSection": art.section_name, "keywords": ", ".join(art.tags),
        "mainEntityOfPage": url, "inLanguage": "fr",
        "publisher": {"@type": "NewsMediaOrganization", "name": ctx.outlet.name},
    }
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>\n'


def daily_article(ctx: Ctx, art: Article) -> str:
    url = ctx.url(art.path)
    related = "".join(f'<li><a href="{ctx.url(r.path)}">{esc(r.title)}</a></li>'
                      for r in ctx.related(art))
    aside = (f'<aside class="lire-aussi"><p class="lire-aussi__label">À lire aussi</p>'
             f"<ul>{related}</ul></aside>")
    ad = '<div class="pub" data-slot="inread"><span class="pub__label">Publicité</span></div>'
    style = BodyStyle(lead='<p class="chapo"><strong>{}</strong></p>',
                      heading_attrs=' class="inter"', quote='<blockquote class="citation"><p>{}</p>'
                      "</blockquote>", list_attrs=' class="liste"',
                      inserts={min(3, len(art.blocks) - 1): aside,
                               **({6: ad} if len(art.blocks) > 8 else {})})
    d = art.published
    when = f"Publié le {d:%d/%m/%Y} à {d:%Hh%M}"
    if art.modified:
        when += f", mis à jour le {art.modified:%d/%m/%Y} à {art.modified:%Hh%M}"
    via = " avec APS" if art.authors == ["Agence Presse Sud"] else ""
    tags = "".join(f'<a href="{ctx.tag_url(t)}">{esc(t)}</a> ' for t in art.tags)
    plural = "s" if art.comments > 1 else ""
    most_read = "".join(f'<li><a href="{ctx.url(a.path)}">{esc(a.title)}</a></li>'
                        for a in ctx.latest(5))
    main = f"""<nav class="breadcrumb"><a href="{ctx.pages['home']}">Accueil</a> ›
<a href="{ctx.section_url(art.section, 1)}">{esc(art.section_name)}</a></nav>
<div class="section-banner"><span>{esc(art.section_name)}</span></div>
<div class="layout">
<article class="article-full">
<header class="article-header">
<p class="kicker">{esc(art.section_name)}</p>
<h1 class="article-title">{esc(art.title)}</h1>
<p class="article-meta"><span class="byline">Par {byline_names(art.authors)}{via}</span>
<span class="date">{when}</span></p>
</header>
<div class="share-bar"><button type="button">Partager sur Facebook</button>
<button type="button">Partager sur X</button><button type="button">Envoyer par e-mail</button></div>
<div class="article-body">
{body_html(art.blocks, style)}
</div>
<div class="article-tags">Mots-clés : {tags}</div>
</article>
<aside class="sidebar"><h3>Les plus lus</h3><ol>{most_read}</ol></aside>
</div>
<section class="comments" id="commentaires">
<h2 class="comments-count">{art.comments} commentaire{plural}</h2>
<p><a href="#reagir">Répondre à cet article</a></p>
<form id="reagir" method="post" action="{url}"><textarea name="comment"></textarea>
<button type="submit">Publier</button></form>
</section>"""
    return _daily_shell(ctx, art.title, main, url, _daily_ld(ctx, art, url))


def daily_listing(ctx: Ctx, page: Listing) -> str:
    items = "".join(
        f'<article class="teaser"><h2 class="teaser-title"><a href="{ctx.url(a.path)}">'
        f'{esc(a.title)}</a></h2><p class="teaser-meta">{a.published:%d/%m/%Y}</p>'
        f'<p class="teaser-lead">{esc(a.lead)}</p></article>\n' for a in page.items)
    main = (f'<div class="section-banner"><h1>{esc(page.heading)}</h1></div>\n'
            f'<div class="teaser-list">{items}</div>{pager(page.page_urls, page.page)}')
    return _daily_shell(ctx, page.heading, main, page.canonical)


def daily_plain(ctx: Ctx, heading: str, paras: list[str], canonical: str) -> str:
    text = "".join(f"<p>{esc(p)}</p>" for p in paras)
    return _daily_shell(ctx, heading, f'<div class="static-page"><h1>{esc(heading)}</h1>{text}</div>',
                        canonical)


# ------------------------------------------------------ weekly: L'Écho des Cévennes (latin-1)


def _weekly_shell(ctx: Ctx, title: str, main: str, canonical: str) -> str:
    menu = "".join(f'<li><a href="{u}">{esc(n)}</a></li>' for n, u in ctx.sections)
    p = ctx.pages
    return f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html lang="fr">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">
<meta charset="iso-8859-1">
<title>{esc(title)} - {esc(ctx.outlet.name)}</title>
<link rel="canonical" href="{canonical}">
<link rel="alternate" type="application/rss+xml" href="{p['feed']}">
</head>
<body>
<div id="bandeau"><a href="{p['home']}"><b>{esc(ctx.outlet.name)}</b></a>
<span class="slogan">L'hebdomadaire du bassin alésien depuis 1948</span></div>
<div id="cookies">Ce site utilise des cookies. En poursuivant votre navigation, vous acceptez
leur utilisation. <a href="{p['legal']}">OK</a></div>
<div id="page">
<div id="menu-gauche"><ul class="menu"><li><a href="{p['home']}">Accueil</a></li>{menu}
<li><a href="{p['dossier']}">Territoires d'industrie</a></li>
<li><a href="{p['contact']}">Nous contacter</a></li></ul>
<div class="encart">Abonnez-vous : 52 numéros pour 60 euros</div></div>
<div id="colonne-centre">
{main}
</div>
</div>
<div id="pied">{esc(ctx.outlet.name)} - hebdomadaire fictif (bac à sable pressarchive) -
<a href="{p['legal']}">Mentions légales</a> - <a href="{p['contact']}">Contact</a></div>
</body>
</html>
"""


def weekly_article(ctx: Ctx, art: Article) -> str:
    url = ctx.url(art.path)
    if art.authors:
        who = f'<div class="auteur">Par {byline_names(art.authors)}</div>'
    else:
        who = '<div class="source">Communiqué</div>'
    plural = "s" if art.comments > 1 else ""
    others = "".join(f'<li><a href="{ctx.url(r.path)}">{esc(r.title)}</a></li>'
                     for r in ctx.related(art, 4))
    tags = ", ".join(f'<a href="{ctx.tag_url(t)}">{esc(t)}</a>' for t in art.tags)
    style = BodyStyle(lead="<p><b>{}</b></p>", quote="<blockquote><p><i>{}</i></p></blockquote>")
    main = f"""<div class="rubrique-titre">{esc(art.section_name)}</div>
<div class="article">
<h1>{esc(art.title)}</h1>
<div class="date">{art.published:%d/%m/%Y}</div>
{who}
<div class="article-texte">
{body_html(art.blocks, style)}
</div>
<div class="motscles">Mots-clés : {tags}</div>
</div>
<div class="reagir"><b>{art.comments} commentaire{plural}</b> -
<a href="#form-reagir">Réagir à cet article</a>
<form id="form-reagir" method="post" action="{url}"><textarea name="texte"></textarea>
<input type="submit" value="Envoyer"></form></div>
<div class="autres"><b>Dans la même rubrique</b><ul>{others}</ul></div>"""
    return _weekly_shell(ctx, art.title, main, url)


def weekly_listing(ctx: Ctx, page: Listing) -> str:
    items = "".join(
        f'<div class="breve"><a class="titre" href="{ctx.url(a.path)}">{esc(a.title)}</a>'
        f' <span class="date">({a.published:%d/%m/%Y})</span><br>{esc(a.lead)}</div>\n'
        for a in page.items)
    main = (f'<div class="rubrique-titre">{esc(page.heading)}</div>\n{items}'
            f"{pager(page.page_urls, page.page, 'pages', 'Page précédente', 'Page suivante')}")
    return _weekly_shell(ctx, page.heading, main, page.canonical)


def weekly_plain(ctx: Ctx, heading: str, paras: list[str], canonical: str) -> str:
    text = "".join(f"<p>{esc(p)}</p>" for p in paras)
    return _weekly_shell(ctx, heading, f"<h1>{esc(heading)}</h1>{text}", canonical)


# ------------------------------------------------------------- magazine: Occitanie Éco (SPIP)


def _mag_shell(ctx: Ctx, title: str, main: str, canonical: str, head: str = "") -> str:
    menu = "".join(f'<li class="rub"><a href="{u}">{esc(n)}</a></li>' for n, u in ctx.sections)
    p = ctx.pages
    return f"""<!DOCTYPE html>
<html lang="fr" dir="ltr">
<head>
<meta charset="utf-8">
<title>{esc(title)} - {esc(ctx.outlet.name)}</title>
<link rel="canonical" href="{canonical}">
<link rel="alternate" type="application/rss+xml" title="Syndiquer tout le site" href="{p['feed']}">
{head}</head>
<body class="page_article">
<div class="page">
<div id="entete"><a class="logo" href="{p['home']}">{esc(ctx.outlet.name)}</a>
<p class="slogan">Le magazine de l'économie en Occitanie</p></div>
<div class="nav clearfix"><ul class="menu-rubriques">{menu}
<li class="mot"><a href="{p['dossier']}">Dossier : Territoires d'industrie</a></li></ul></div>
<div class="wrapper">
{main}
</div>
<div class="bloc-newsletter"><p class="titre">La lettre d'{esc(ctx.outlet.name)}</p>
<p>Chaque mardi, l'actualité des entreprises d'Occitanie dans votre boîte mail.</p></div>
<div id="pied"><a href="{p['contact']}">Contact</a> | <a href="{p['legal']}">Mentions légales</a> |
<a href="{p['feed']}">RSS</a> | Magazine fictif du bac à sable pressarchive</div>
</div>
</body>
</html>
"""


def mag_article(ctx: Ctx, art: Article) -> str:
    url = ctx.url(art.path)
    d = art.published
    meta = [f'<meta property="og:title" content="{esc(art.title)}">',
            '<meta property="og:type" content="article">',
            f'<meta property="og:url" content="{url}">',
            f'<meta property="og:description" content="{esc(art.lead)}">',
            f'<meta property="og:site_name" content="{esc(ctx.outlet.name)}">',
            f'<meta property="article:published_time" content="{iso_offset(d)}">',
            f'<meta property="article:section" content="{esc(art.section_name)}">']
    if art.modified:
        meta.append(f'<meta property="article:modified_time" content="{iso_offset(art.modified)}">')
    meta += [f'<meta property="article:author" content="{esc(a)}">' for a in art.authors]
    meta += [f'<meta property="article:tag" content="{esc(t)}">' for t in art.tags]
    names = byline_names(art.authors, '<a class="auteur" rel="author">{}</a>')
    info = f"Publié le {fr_date(d, weekday=True)} à {d:%Hh%M}min par {names}"
    if art.modified:
        info += f" - Mis à jour le {fr_date(art.modified)}"
    style = BodyStyle(heading_attrs=' class="spip"', quote='<blockquote class="spip"><p>{}</p>'
                      "</blockquote>", list_attrs=' class="spip"')
    chapo, body = art.blocks[0], art.blocks[1:]
    plural = "s" if art.comments > 1 else ""
    tags = " ".join(f'<a class="mot" href="{ctx.tag_url(t)}">{esc(t)}</a>' for t in art.tags)
    related = "".join(f'<li><a href="{ctx.url(r.path)}">{esc(r.title)}</a></li>'
                      for r in ctx.related(art))
    main = f"""<div class="ariane"><a href="{ctx.pages['home']}">Accueil</a> &gt;
<a href="{ctx.section_url(art.section, 1)}">{esc(art.section_name)}</a></div>
<div class="contenu-principal">
<div class="cartouche">
<p class="surtitre">{esc(art.section_name)}</p>
<h1 class="crayon article-titre">{esc(art.title)}</h1>
<p class="info-publi">{info}</p>
</div>
<div class="article-content">
<div class="chapo"><p>{esc(chapo.text)}</p></div>
<div class="texte surlignable">
{body_html(body, style)}
</div>
</div>
<div class="partage">Partager : <button>LinkedIn</button> <button>Facebook</button></div>
<div class="mots">{tags}</div>
<div class="forum"><p class="forum-titre">{art.comments or 'Aucun'} Commentaire{plural}</p>
<a href="#formulaire_forum">Répondre à cet article</a>
<form id="formulaire_forum" method="post" action="{url}"><textarea name="texte"></textarea>
<input type="submit" value="Valider"></form></div>
</div>
<div class="aside"><h2>Dans la même rubrique</h2><ul>{related}</ul></div>"""
    return _mag_shell(ctx, art.title, main, url, "\n".join(meta) + "\n")


def mag_listing(ctx: Ctx, page: Listing) -> str:
    items = "".join(
        f'<li class="item"><h3 class="titre"><a href="{ctx.url(a.path)}">{esc(a.title)}</a></h3>'
        f'<p class="info-publi">{fr_date(a.published)}</p><div class="intro">{esc(a.lead)}</div>'
        f'<a class="lire-la-suite" href="{ctx.url(a.path)}">Lire la suite</a></li>\n'
        for a in page.items)
    main = (f'<div class="contenu-principal"><h1 class="crayon rubrique-titre">'
            f'{esc(page.heading)}</h1><ul class="liste-articles">{items}</ul>'
            f"{pager(page.page_urls, page.page, 'pagination', '&lt;', '&gt;')}</div>")
    return _mag_shell(ctx, page.heading, main, page.canonical)


def mag_plain(ctx: Ctx, heading: str, paras: list[str], canonical: str) -> str:
    text = "".join(f"<p>{esc(p)}</p>" for p in paras)
    return _mag_shell(ctx, heading, f'<div class="contenu-principal"><h1>{esc(heading)}</h1>'
                      f'<div class="texte">{text}</div></div>', canonical)
