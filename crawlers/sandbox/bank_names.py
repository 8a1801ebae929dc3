"""Fictional people, places and organisations that fill the slots of the sentence bank.

Every string stays inside ISO-8859-1 (no curly quotes, no "oe" ligature, no euro sign) so
that one text can be served by the latin-1 weekly and by the UTF-8 outlets unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

FEMALE = (
    "Aurélie", "Sylvie", "Nadia", "Élodie", "Laure", "Camille", "Hélène", "Marion",
    "Sandrine", "Céline", "Inès", "Myriam", "Claire", "Fatima", "Agnès", "Lucie",
    "Valérie", "Émilie", "Nathalie", "Solène",
)
MALE = (
    "Jean-Pierre", "Mathieu", "Karim", "Thierry", "Sébastien", "Florian", "Bernard",
    "Julien", "Romain", "Patrick", "Guillaume", "Olivier", "Yannick", "Damien", "Lucas",
    "Frédéric", "Alain", "Nicolas", "Rémi", "Benoît",
)
SURNAMES = (
    "Marty", "Bousquet", "Cabrol", "Vidal", "Fabre", "Azéma", "Escande", "Rouquette",
    "Séguier", "Pujol", "Teisseyre", "Carrière", "Mazars", "Roques", "Alibert", "Bonnafous",
    "Calmettes", "Delpech", "Estève", "Ginestet", "Lagarde", "Maffre", "Nègre", "Puech",
    "Rascol", "Soulié", "Tournier", "Vergnes", "Barthès", "Cros", "Assémat", "Bessière",
    "Causse", "Durand-Vialle", "Fourès", "Gau", "Laffont", "Mialhe", "Peyre", "Salvan",
)


@dataclass(frozen=True)
class Town:
    name: str
    population: int

    @property
    def a(self) -> str:
        return to_a(self.name, town=True)

    @property
    def de(self) -> str:
        return to_de(self.name, town=True)


@dataclass(frozen=True)
class Territory:
    """One department as the stories see it: towns, local institutions, firms."""

    code: str
    name: str  # "le Tarn"
    towns: tuple[Town, ...]
    agglo: str
    technopole: str
    club: str
    ess: str
    zone: str
    companies: tuple[tuple[str, str, str], ...]  # name, sector, product
    energy: tuple[str, ...]


TERRITORIES: dict[str, Territory] = {
    "81": Territory(
        code="81",
        name="le Tarn",
        towns=(
            Town("Castres", 41500), Town("Mazamet", 9900), Town("Aussillon", 5800),
            Town("Labruguière", 6600), Town("Lautrec", 1800), Town("Saint-Amans-Soult", 1600),
            Town("Albi", 49000), Town("Graulhet", 12100), Town("Lavaur", 11000),
            Town("Carmaux", 9400),
        ),
        agglo="la communauté d'agglomération du Pays d'Autan",
        technopole="la technopole Thoré-Sidobre",
        club="le club Entreprendre en Pays d'Autan",
        ess="le pôle coopératif l'Établi",
        zone="la zone d'activités du Causse",
        companies=(
            ("Mécanique du Thoré", "l'usinage de précision", "des pièces pour l'aéronautique"),
            ("Sidobre Granits Industrie", "la transformation du granit",
             "des plans de travail et des dallages"),
            ("Textiles Hautpoul", "le textile technique", "des tissus pour l'équipement sportif"),
            ("Laboratoires Montagne Noire", "la cosmétique naturelle",
             "des soins à base de plantes"),
            ("Délices d'Autan", "l'agroalimentaire", "des plats cuisinés et des charcuteries"),
            ("Autan Plasturgie", "la plasturgie", "des emballages recyclables"),
            ("Aciers du Sor", "la chaudronnerie", "des structures métalliques"),
            ("Maroquinerie Graulhétoise", "la maroquinerie", "des sacs et des ceintures en cuir"),
        ),
        energy=("Soleil d'Autan Énergies", "Méthagri Tarn", "Volt Sidobre"),
    ),
    "30": Territory(
        code="30",
        name="le Gard",
        towns=(
            Town("Alès", 42700), Town("Saint-Christol-lez-Alès", 7100), Town("Salindres", 3500),
            Town("La Grand-Combe", 4900), Town("Saint-Ambroix", 3400), Town("Anduze", 3400),
            Town("Bessèges", 2900), Town("Saint-Martin-de-Valgalgues", 4500),
            Town("Vézénobres", 1900),
        ),
        agglo="Cévennes Agglomération",
        technopole="la pépinière d'entreprises Gardon Innov",
        club="le Cercle des entrepreneurs cévenols",
        ess="le pôle d'économie solidaire la Filature",
        zone="le parc d'activités des Près-Saint-Jean",
        companies=(
            ("Cévennes Chimie Fine", "la chimie fine", "des principes actifs pharmaceutiques"),
            ("Gardon Métal", "la métallurgie", "des pièces forgées pour le ferroviaire"),
            ("Alès Robotique", "la robotique", "des bras automatisés pour les PME"),
            ("Bois et Charpentes du Gardon", "la construction bois",
             "des charpentes et des maisons à ossature bois"),
            ("Valgalgues Recyclage", "le recyclage", "des matières plastiques régénérées"),
            ("Salindres Matériaux", "les matériaux avancés", "des alliages d'aluminium"),
            ("Soieries de Saint-Ambroix", "le textile", "des soieries haut de gamme"),
            ("Anduze Céramiques", "la céramique", "des vases et des poteries de jardin"),
        ),
        energy=("Cévennes Biogaz", "Solaire du Gardon", "Énergies Valgalgues"),
    ),
    "31": Territory(
        code="31",
        name="la Haute-Garonne",
        towns=(
            Town("Toulouse", 504000), Town("Ramonville-Saint-Agne", 14800), Town("Labège", 4600),
            Town("Blagnac", 25500), Town("Colomiers", 39900), Town("Balma", 17100),
            Town("Muret", 26400), Town("Saint-Orens-de-Gameville", 12000),
        ),
        agglo="la communauté d'agglomération Sud-Garonne",
        technopole="la technopole Canal-Innov",
        club="le club des dirigeants du Sud-Est toulousain",
        ess="le pôle ESS le Kaléidoscope",
        zone="le parc technologique du Canal",
        companies=(
            ("Aérosud Composites", "les matériaux composites",
             "des pièces de structure pour l'aéronautique"),
            ("Canal Spatial Systèmes", "le spatial", "des nanosatellites d'observation"),
            ("Labège Data Services", "le numérique", "des services d'hébergement de données"),
            ("Garonne Biotech", "les biotechnologies", "des tests de diagnostic rapide"),
            ("Hélices Muretaines", "la mécanique", "des hélices pour drones et ULM"),
            ("Blagnac Avionique", "l'électronique embarquée", "des calculateurs de bord"),
            ("Lauragais Semences", "l'agro-industrie", "des semences biologiques"),
        ),
        energy=("Garonne Hydrogène", "Toiture Solaire d'Oc", "Lauragais Méthanisation"),
    ),
}

STARTUPS = (
    ("Agrisens", "des capteurs connectés pour piloter l'irrigation"),
    ("Datacréa", "un logiciel de gestion destiné aux artisans"),
    ("Novafil", "un fil textile issu du recyclage des bouteilles"),
    ("Kéramos Lab", "des céramiques techniques imprimées en 3D"),
    ("Pastelia", "des colorants naturels à base de pastel"),
    ("Hydrolys", "un système de récupération des eaux grises"),
    ("Solévent", "des micro-éoliennes pour les toits d'immeubles"),
    ("Cobotik", "des robots collaboratifs pour les petites usines"),
    ("Ovéa Santé", "une application de suivi des patients à domicile"),
    ("Lumen Agri", "un éclairage horticole à basse consommation"),
    ("Biocarta", "des emballages compostables pour la restauration"),
    ("Rural Link", "une connexion satellitaire pour les zones blanches"),
    ("Trajet Commun", "une plateforme de covoiturage domicile-travail"),
    ("Granulo", "la valorisation des poussières de granit"),
    ("Sylvaé", "la traçabilité du bois local par puce RFID"),
    ("Apidoc", "des ruches connectées pour les apiculteurs"),
    ("Vigie Crue", "un service d'alerte contre les inondations"),
    ("Mécaloc", "la location de machines-outils entre entreprises"),
)

PROGRAMMES = ("Territoires d'industrie", "France 2030", "Petites villes de demain", "France Relance")

AGENCY = "Agence Presse Sud"


def _vowel(word: str) -> bool:
    return word[:1].lower() in "aeiouyéèêâîôûà"


def _article(phrase: str, town: bool) -> str:
    """'La Grand-Combe' keeps its capital (a town name); 'la technopole' stays lower case."""
    return phrase if town else phrase[0].lower() + phrase[1:]


def to_de(phrase: str, town: bool = False) -> str:
    """French 'de' + phrase with the contractions a reader expects (du, des, d')."""
    low = phrase.lower()
    if low.startswith("le "):
        return "du " + phrase[3:]
    if low.startswith("les "):
        return "des " + phrase[4:]
    if low.startswith(("la ", "l'")):
        return "de " + _article(phrase, town)
    return ("d'" if _vowel(phrase) else "de ") + phrase


def to_a(phrase: str, town: bool = False) -> str:
    """French 'à' + phrase (au, aux)."""
    low = phrase.lower()
    if low.startswith("le "):
        return "au " + phrase[3:]
    if low.startswith("les "):
        return "aux " + phrase[4:]
    if low.startswith(("la ", "l'")):
        return "à " + _article(phrase, town)
    return "à " + phrase
