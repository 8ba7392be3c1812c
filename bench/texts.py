"""Extra sentences for the benchmark's entries, on top of publishing/demo.py's TOPICS.

Each entry gets its topic's texts plus a few of these, so that the catalogue has a
realistic spread of words: common ones ("maahanmuuttajat", "invandrare") match many
entries, concrete ones ("kuoro", "cykelkurs", "coding club") only a few percent.
Each row is the same sentence in fi, sv and en (an entry translated by staff gets all
three).
"""

EXTRA_SENTENCES = [
    (
        "Kokkauskerhossa opitaan suomalaisia ja eri maiden ruokia yhdessä.",
        "I matlagningsklubben lagar vi finländsk mat och mat från olika länder tillsammans.",
        "In the cooking club we learn Finnish dishes and food from many countries together.",
    ),
    (
        "Jalkapallokoulu on ilmainen, ja varusteet lainataan seuralta.",
        "Fotbollsskolan är gratis, och utrustningen lånas av föreningen.",
        "The football school is free, and the club lends the equipment.",
    ),
    (
        "Koodikerho opettaa nuorille ohjelmointia ja verkkosivujen tekemistä.",
        "Kodklubben lär unga att programmera och göra webbsidor.",
        "The coding club teaches young people programming and building websites.",
    ),
    (
        "Kuoro harjoittelee kerran viikossa ja esiintyy kotiseutujuhlassa.",
        "Kören övar en gång i veckan och uppträder på hembygdsfesten.",
        "The choir rehearses weekly and performs at the local heritage festival.",
    ),
    (
        "Pyöräilykurssilla aikuiset oppivat ajamaan polkupyörällä turvallisesti.",
        "På cykelkursen lär sig vuxna att cykla tryggt.",
        "On the cycling course adults learn to ride a bicycle safely.",
    ),
    (
        "Uimakoulu on tarkoitettu erityisesti naisille ja tytöille.",
        "Simskolan är avsedd särskilt för kvinnor och flickor.",
        "The swimming school is meant especially for women and girls.",
    ),
    (
        "Työnhakuvalmennuksessa harjoitellaan työhaastattelua ja ansioluettelon kirjoittamista.",
        "I jobbsökarträningen övar vi arbetsintervjuer och att skriva meritförteckning.",
        "The job search coaching practises job interviews and writing a CV.",
    ),
    (
        "Yrittäjyyskurssi auttaa oman yrityksen perustamisessa ja verotuksen ymmärtämisessä.",
        "Företagarkursen hjälper till att grunda ett eget företag och att förstå beskattningen.",
        "The entrepreneurship course helps with starting a business and understanding taxation.",
    ),
    (
        "Läksykerho tukee koululaisia ja heidän vanhempiaan kotitehtävissä.",
        "Läxklubben stöder skolbarn och deras föräldrar med läxorna.",
        "The homework club supports schoolchildren and their parents with homework.",
    ),
    (
        "Ikäihmisten kerhossa jutellaan, lauletaan ja tehdään käsitöitä.",
        "I seniorklubben pratar vi, sjunger och gör handarbeten.",
        "In the seniors' club we chat, sing and do handicrafts.",
    ),
    (
        "Asukastuvassa on joka torstai avoimet ovet ja kahvitarjoilu.",
        "I invånarstugan är det öppet hus med kaffe varje torsdag.",
        "The residents' lounge holds an open house with coffee every Thursday.",
    ),
    (
        "Saunailloissa uudet asukkaat tutustuvat suomalaiseen saunaperinteeseen.",
        "På bastukvällarna bekantar sig nya invånare med den finländska bastutraditionen.",
        "At sauna evenings new residents get to know the Finnish sauna tradition.",
    ),
    (
        "Luontoretkillä opitaan jokamiehenoikeuksista, marjastuksesta ja sienestyksestä.",
        "På naturutflykterna lär vi oss om allemansrätten, bärplockning och svampplockning.",
        "On nature trips we learn about everyman's rights, berry picking and mushrooming.",
    ),
    (
        "Digineuvonnassa autetaan verkkopankin, sähköisen asioinnin ja älypuhelimen käytössä.",
        "I den digitala rådgivningen hjälper vi med nätbanken, e-tjänster och smarttelefonen.",
        "The digital help desk assists with online banking, e-services and smartphones.",
    ),
    (
        "Oppisopimuskoulutus yhdistää työn ja ammatillisen tutkinnon.",
        "Läroavtalsutbildningen förenar arbete och yrkesexamen.",
        "Apprenticeship training combines work and a vocational qualification.",
    ),
    (
        "Terveydenhoitaja pitää neuvolassa vastaanottoa usealla kielellä.",
        "Hälsovårdaren håller mottagning på rådgivningen på flera språk.",
        "The public health nurse holds clinic hours at the child health centre in several languages.",
    ),
    (
        "Lukupiirissä luetaan selkokielisiä kirjoja ja keskustellaan niistä.",
        "I läscirkeln läser vi lättlästa böcker och diskuterar dem.",
        "The reading circle reads easy-to-read books and talks about them.",
    ),
    (
        "Puutarhapalstoilla kasvatetaan vihanneksia yhdessä naapurien kanssa.",
        "På odlingslotterna odlar vi grönsaker tillsammans med grannarna.",
        "On the allotments we grow vegetables together with the neighbours.",
    ),
    (
        "Ajokorttikoulutus järjestetään arabiaksi, somaliksi ja venäjäksi.",
        "Körkortsutbildningen ordnas på arabiska, somaliska och ryska.",
        "The driving licence course is held in Arabic, Somali and Russian.",
    ),
    (
        "Teatteriryhmä tekee näytelmän kotoutumisen ensimmäisestä vuodesta.",
        "Teatergruppen gör en pjäs om det första året av integrationen.",
        "The theatre group makes a play about the first year of integration.",
    ),
    (
        "Hoiva-alan kesätyöpaikat tarjotaan ensisijaisesti nuorille maahanmuuttajille.",
        "Sommarjobben inom vårdbranschen erbjuds i första hand unga invandrare.",
        "Summer jobs in care work are offered first to young immigrants.",
    ),
    (
        "Kielitaidon kehittymistä seurataan säännöllisillä tasotesteillä.",
        "Språkkunskapernas utveckling följs upp med regelbundna nivåtest.",
        "Language progress is followed up with regular level tests.",
    ),
    (
        "Vertaisryhmässä vanhemmat jakavat kokemuksia kasvatuksesta uudessa maassa.",
        "I kamratgruppen delar föräldrarna erfarenheter av att fostra barn i ett nytt land.",
        "In the peer group parents share experiences of bringing up children in a new country.",
    ),
    (
        "Vapaaehtoiset tulkit auttavat asioinnissa sosiaalitoimistossa ja pankissa.",
        "Frivilliga tolkar hjälper till vid besök på socialbyrån och banken.",
        "Volunteer interpreters help with visits to the social services office and the bank.",
    ),
]

AUDIENCES = [
    (
        "Toiminta on suunnattu erityisesti nuorille.",
        "Verksamheten riktar sig särskilt till unga.",
        "The activity is aimed especially at young people.",
    ),
    (
        "Toiminta on suunnattu erityisesti perheille.",
        "Verksamheten riktar sig särskilt till familjer.",
        "The activity is aimed especially at families.",
    ),
    (
        "Toiminta on suunnattu erityisesti naisille.",
        "Verksamheten riktar sig särskilt till kvinnor.",
        "The activity is aimed especially at women.",
    ),
    (
        "Toiminta on suunnattu erityisesti ikäihmisille.",
        "Verksamheten riktar sig särskilt till äldre.",
        "The activity is aimed especially at older people.",
    ),
    (
        "Toiminta on suunnattu erityisesti opiskelijoille.",
        "Verksamheten riktar sig särskilt till studerande.",
        "The activity is aimed especially at students.",
    ),
    (
        "Toiminta on suunnattu erityisesti yrittäjille.",
        "Verksamheten riktar sig särskilt till företagare.",
        "The activity is aimed especially at entrepreneurs.",
    ),
    (
        "Toiminta edistää kotoutumista koko kunnassa.",
        "Verksamheten främjar integrationen i hela kommunen.",
        "The activity promotes integration in the whole municipality.",
    ),
]

LANGUAGE_INDEX = {"fi": 0, "sv": 1, "en": 2}
