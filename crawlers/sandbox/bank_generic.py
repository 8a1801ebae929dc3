"""Sentence bank shared by every topic: territory context, voices of the blog and the agglomeration.

Slots are ``str.format`` fields filled per article (see ``compose.slots_for``); texts stay
inside ISO-8859-1 so the latin-1 weekly can carry any of them.
"""

# ruff: noqa: E501 - prose: one sentence template per line reads and diffs better than wrapped text

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    """What a story is about, as a bank of slot templates.

    ``roles`` are (masculine, feminine) titles of the two people quoted.
    """

    key: str
    tags: tuple[str, ...]
    roles: tuple[tuple[str, str], tuple[str, str]]
    headlines: tuple[str, ...]
    leads: tuple[str, ...]
    sentences: tuple[str, ...]
    quotes: tuple[str, ...]
    intertitles: tuple[str, ...]
    list_intros: tuple[str, ...]
    list_items: tuple[str, ...]
    visits: tuple[str, ...]  # "pour ..." clauses used by the deputy's blog
    objects: tuple[str, ...]  # noun phrases used by the agglomeration's releases


QUOTE_VERBS = (
    "souligne", "explique", "résume", "assure", "insiste", "confie", "affirme", "précise",
    "observe", "ajoute", "estime", "rappelle", "reconnaît", "se félicite",
)

GENERIC = (
    "{town_cap} compte [aujourd'hui|désormais] environ {pop} habitants[, selon le dernier recensement|].",
    "Le sujet sera [de nouveau abordé|à nouveau évoqué|remis sur la table] lors de la prochaine réunion publique, [prévue|programmée|fixée] le {next_day}.",
    "Les élus de l'opposition ont demandé à être [davantage associés au suivi|mieux informés de l'avancée|consultés à chaque étape] du dossier.",
    "La question du logement des salariés revient [régulièrement|souvent|sans cesse] dans les échanges avec les chefs d'entreprise.",
    "Le calendrier reste toutefois [suspendu à|conditionné à|tributaire de] l'obtention des dernières autorisations administratives.",
    "Plusieurs habitants présents [ce jour-là|sur place|à la réunion] ont salué une démarche attendue [de longue date|depuis des années].",
    "Le dossier avait été présenté pour la première fois en {year_prev}, sans aboutir [à l'époque|faute de financements|faute d'accord entre les partenaires].",
    "La région Occitanie participe au financement aux côtés de l'État et du département[ {dept_de}|].",
    "Dans un contexte de hausse des coûts de l'énergie, le projet fait figure de [signal encourageant|bonne nouvelle|motif d'espoir].",
    "Une visite du site est prévue pour la presse et les partenaires [dans les prochaines semaines|avant la fin du mois|à la rentrée].",
    "Les services de la préfecture suivent le dossier [avec attention|de près|avec intérêt].",
    "Les premiers retours des partenaires financiers seraient [plutôt favorables|encourageants|positifs].",
    "{agglo_cap} assure que d'autres annonces devraient suivre [d'ici la fin de l'année|dans les prochains mois|rapidement].",
    "Le bassin d'emploi {town_de} a longtemps souffert de la fermeture de [grandes usines textiles|plusieurs sites industriels|mines et d'usines].",
    "Le territoire a su attirer de nouveaux habitants ces dernières années, [notamment des familles venues des grandes villes|en particulier de jeunes actifs|souvent venus de la région toulousaine].",
    "Reste à convaincre les derniers sceptiques, qui pointent [le coût global de l'opération|la lenteur des procédures|le manque de concertation].",
    "Une réunion d'information est organisée à la salle des fêtes {town_de} le {next_day} à [18 h 30|20 heures|18 heures].",
    "[La chambre de commerce et d'industrie|La chambre des métiers|L'agence régionale de développement] accompagne plusieurs entreprises dans leurs démarches.",
    "Le projet s'inscrit dans la stratégie de développement économique adoptée en {year_prev}[ par les élus|].",
    "Les délais annoncés sont jugés [serrés|ambitieux|optimistes] par plusieurs observateurs du dossier.",
    "Le département {dept_de} a voté une enveloppe complémentaire lors de sa [dernière session|session de printemps|séance budgétaire].",
    "Un bilan d'étape sera présenté aux élus [dans un an|à la fin de l'année|au printemps prochain].",
    "Pour l'heure, aucun recours n'a été déposé contre le projet[ devant le tribunal administratif|].",
    "La presse locale avait déjà évoqué ce dossier [au printemps dernier|l'an passé|à plusieurs reprises].",
    "Le chantier devrait mobiliser plusieurs entreprises du bâtiment [implantées dans le secteur|du département|de la vallée].",
    "Les associations de riverains seront consultées avant le lancement des travaux[ prévus en {year_target}|].",
    "Le maire {town_de} a tenu à remercier l'ensemble des partenaires pour leur [mobilisation|engagement|soutien].",
    "Cette annonce intervient quelques mois après une année {year_prev} jugée difficile par les acteurs économiques[ locaux|].",
    "Au total, près de {n2} personnes ont assisté à la présentation[ du projet|].",
    "Les détails du financement doivent encore être [précisés|arrêtés|formalisés] dans une convention.",
    "La démarche a reçu le soutien [unanime|appuyé] des maires du secteur.",
    "Le projet fera l'objet d'un suivi régulier dans le cadre d'un comité de pilotage[ réuni deux fois par an| associant les partenaires|].",
)

GENERIC_INTERTITLES = (
    "Un calendrier serré",
    "Des financements croisés",
    "Un territoire en mouvement",
    "La suite en {year_target}",
    "Un enjeu pour {town}",
    "Ce qui va changer",
    "Les élus partagés",
    "Un signal pour {dept}",
    "Prochaine étape le {next_day}",
)

CLOSINGS = (
    "Rendez-vous est pris pour un premier bilan au printemps {year_target}.",
    "Le dossier sera de nouveau examiné en conseil le {next_day}.",
    "Les inscriptions sont ouvertes jusqu'au {next_day}.",
    "Une nouvelle réunion avec les partenaires est programmée le {next_day}.",
    "Les travaux doivent s'achever avant l'été {year_target}.",
)

BLOG_LEADS = (
    "Ce {day}, je me suis rendue {town_a} pour {visit}.",
    "J'ai eu le plaisir, {day}, de me rendre {town_a} pour {visit}.",
    "Belle matinée {town_a} ce {day} : j'ai pu {visit}.",
    "Comme je m'y étais engagée, je suis retournée {town_a} ce {day} pour {visit}.",
)

BLOG_SENTENCES = (
    "Je veux saluer l'engagement des équipes qui portent ce projet depuis [plusieurs années|le premier jour|longtemps].",
    "C'est exactement ce dont notre territoire a besoin : des emplois, de l'innovation et de la confiance.",
    "J'ai redit à cette occasion mon attachement à un développement équilibré entre villes et campagnes.",
    "Je me suis engagée à relayer leurs demandes auprès des ministères concernés.",
    "Nos échanges ont été [francs et constructifs|riches et directs], comme toujours sur le terrain.",
    "Ces visites de terrain nourrissent directement mon travail à l'Assemblée nationale.",
    "J'ai pu mesurer la fierté des salariés et leur attachement à leur entreprise.",
    "Je serai attentive à ce que les engagements pris soient tenus dans les délais annoncés.",
    "Trop souvent, on oublie que l'industrie et l'innovation vivent aussi loin des métropoles.",
    "Je remercie chaleureusement {person} pour son accueil et la qualité de nos échanges.",
)

BLOG_CLOSINGS = (
    "Je continuerai à suivre ce dossier de près et à porter la voix de notre territoire à Paris.",
    "Vous pouvez compter sur ma mobilisation pleine et entière.",
    "Je reviendrai vers vous dès que j'aurai des nouvelles de ce dossier.",
    "N'hésitez pas à me faire part de vos remarques lors de ma prochaine permanence.",
)

AGGLO_LEADS = (
    "{agglo_cap} annonce {object}.",
    "{agglo_cap} se mobilise pour {object}.",
    "Le président {agglo_de} a présenté ce {day} {object}.",
)

AGGLO_CLOSINGS = (
    "Retrouvez toutes les informations utiles sur le site internet de l'agglomération.",
    "Les services de l'agglomération se tiennent à la disposition des entreprises pour tout renseignement.",
    "Ce projet illustre la volonté de l'agglomération d'agir concrètement pour l'emploi.",
)
