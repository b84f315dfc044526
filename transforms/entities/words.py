"""Word lists the name rules consult, in the languages newsbeam reads first (it, en, fr, de, es).

Written by hand from general knowledge of news writing; compared lower-cased unless noted.
"""

from __future__ import annotations


def _words(s: str) -> frozenset[str]:
    return frozenset(s.split())


# Capitalised words that start sentences or headings but are not names (compared lower-cased).
STOP = _words(
    """the a an this that these those in on at for from to of by with as but and or if when while
    after before during since until he she it they we i you his her its their our my your there
    here what who why how where which all some many most more no not yes one two three also so
    then yet still just only even now today yesterday tomorrow however meanwhile although because
    according other another each every both several new old last first next mr mrs
    il lo la i gli le un una uno di da in con su per tra fra nel nella nei nelle del della dei
    degli delle al alla ai alle dal dalla dai sul sulla ma e ed o se che non questo questa questi
    queste quello quella quelli quelle secondo dopo prima anche come dove quando perché perche lui
    lei noi voi loro ci si mi ti ecco oggi ieri domani ora già gia intanto infatti inoltre
    tuttavia mentre però pero invece ancora sempre mai qui più piu meno molto molti tutti tutto
    nessuno ogni altro altri altra cosa cui chi ne sono è era sarà ha hanno abbiamo ho anzi poi
    così cosi quindi dunque allora insomma forse proprio solo
    le les des du de et ou mais pour par avec sur dans une est sont il elle ils elles nous vous
    der die das den dem des ein eine und oder aber für mit auf im ist sind er sie es wir ihr
    el los las del y pero para por con en es son ella ellos nosotros
    monday tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december lunedì martedì mercoledì giovedì venerdì
    sabato domenica gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre
    novembre dicembre lundi mardi mercredi jeudi vendredi samedi dimanche janvier février mars
    avril mai juin juillet août septembre octobre novembre décembre montag dienstag mittwoch
    donnerstag freitag samstag sonntag januar februar märz juni juli oktober dezember lunes
    martes miércoles jueves viernes sábado domingo enero febrero abril mayo junio julio agosto
    septiembre octubre noviembre diciembre
    stato governo paese paesi presidente ministro premier parlamento repubblica regione comune
    provincia capitale città chiesa dio signore internet web video foto photo home login
    newsletter pubblicità condividi commenti eventi leggi anche read more share comments
    god state government president minister
    utc gmt cet cest url gps dna rna aids hiv covid pil iva gdp vat ceo cfo tv pc ai ip vip dj
    cd dvd sms pdf usb ok ko gp mvp ecg tac lgbt lgbtq ong ngo onlus faq html http www id pin iq
    uv led lcd suv fm bc imu ires irap irpef isee mms lsd adhd hd wifi"""
)
TITLES = _words(
    """mr mrs ms dr prof sen rep gov gen lt sgt capt cpt adm sir dame lord lady king queen
    prince princess pope president presidente premier minister ministro chancellor cancelliere
    senator senatore governor governatore judge giudice mayor sindaco secretary segretario general
    generale admiral ammiraglio ambassador ambasciatore commissioner commissario monsignor padre
    suor coach dottor dott avv ing sig signor signora madame monsieur mme herr frau señor señora
    sr sra leader ceo chief vice deputy prime foreign defence defense interior finance
    re regina principe principessa papa zar sultan emir sheikh ayatollah cardinal cardinale
    brigadier colonel colonnello major maggiore captain capitano lieutenant tenente sergeant
    sergente commander comandante director producer actor father pontefice"""
)
ROLE_CUES = TITLES | _words(
    """portavoce consigliere deputato comandante capo direttore amministratore fondatore
    allenatore tecnico attaccante centrocampista difensore portiere giocatore pilota cantante
    attore attrice regista scrittore scrittrice giornalista avvocato procuratore professore
    dottore collega omologo moglie marito figlio figlia madre fratello sorella spokesman
    spokeswoman spokesperson envoy adviser advisor aide manager striker midfielder defender
    goalkeeper player captain actor actress singer director author writer journalist lawyer
    prosecutor professor economist analyst wife husband son daughter brother sister father mother
    colleague counterpart founder chairman chairwoman président ministre porte-parole chancelier
    sénateur portavoz canciller präsident kanzler sprecher detto detta soprannominato alias"""
)
# Offices held "of" something, before the holder's name: "il ministro dell'Interno X", "il
# presidente dell'Egitto Hosni Mubarak", "il patriarca di Mosca Cirillo I".
OFFICES = TITLES | _words(
    """ministra viceministro sottosegretario sottosegretaria assessore assessora presidentessa
    patriarca arcivescovo vescovo rettore prefetto questore procuratore portavoce direttore
    amministratore capo consigliere segretaria spokesman spokeswoman envoy prosecutor chairman
    chairwoman"""
)
# What a minister is minister of: not a name, even capitalised ("il ministro del Lavoro").
PORTFOLIOS = _words(
    """lavoro interno interni esteri difesa economia salute sanità giustizia istruzione cultura
    ambiente trasporti infrastrutture tesoro finanze sviluppo economico agricoltura turismo sport
    ricerca famiglia welfare energia industria commercio comunicazioni foreste affari politiche
    agricole sociali beni culturali pubblica territorio mare integrazione innovazione
    semplificazione riforme disabilità coesione defence defense finance interior health justice
    trade labour labor education treasury agriculture transport"""
)
# What only a person has or undergoes, before "di"/"of" + a lone unknown name: "i figli di
# Gheddafi", "la presidenza di Mubarak", "i sostenitori di Gbagbo", "the arrest of Kabila".
PERSON_OF = _words(
    """figli sostenitori seguaci presidenza regime arresto morte dimissioni funerali funerale
    uccisione rapimento scomparsa biografia supporters followers presidency arrest death
    resignation funeral killing kidnapping biography"""
)
PERSON_OF_LINKS = _words("di del of")
# Italian names a government by its leader, English puts the leader first: "il governo
# Berlusconi", "l'amministrazione Bush", "the Bush administration".
GOVERNMENT_BY_LEADER = _words("governo amministrazione esecutivo regime era")
LEADER_GOVERNMENT = _words("administration government era regime presidency")
SPEECH = _words(
    """said says told added stated explained wrote warned noted insisted argued declared
    dice afferma spiega aggiunge dichiara sostiene scrive dijo afirmó declaró sagte erklärte"""
)
WHO = _words("who whose whom")
# Plural nouns that open a sentence before "said" ("Analysts said"): not names.
PLURAL_ENDINGS = ("ers", "sts", "nts", "als", "ors", "ses", "ies", "ves", "ans", "ics")
SPEECH_AFTER_HA = _words(
    """detto dichiarato affermato spiegato aggiunto sottolineato ribadito risposto annunciato
    scritto commentato precisato osservato assicurato replicato chiesto definito"""
)
ORG_CUES_BEFORE = _words(
    """beat beats drew v vs company firm group carmaker automaker bank lender insurer airline carrier brand club team
    party agency newspaper daily broadcaster network channel label publisher retailer conglomerate
    subsidiary unit rival rivals società azienda gruppo marchio squadra partito agenzia quotidiano
    giornale emittente compagnia banca colosso casa entreprise société groupe parti unternehmen
    konzern empresa grupo partido"""
)
# Sports results name clubs: "Leicestershire beat Somerset", "Lazio v Roma".
MATCH_WORDS = _words("beat beats drew draw v vs batte battono pareggia")
ORG_CUES_AFTER = MATCH_WORDS | _words(
    """spokesman spokeswoman spokesperson shares stock executives officials chairman chief
    subsidiary unit inc corp plc ltd portavoce azionisti"""
)
# Offices that are of a place: "il sindaco di Capoterra", "the mayor of Ribera".
PLACE_OFFICES = _words(
    """sindaco sindaca mayor governatore governor prefetto prefect vescovo arcivescovo bishop
    archbishop questore parroco"""
)
# Italian adjectives that close the name of a party, paper or body, not a person's:
# "Unità Popolare", "Potere Operaio", "Gazzetta Ufficiale", "Brigate Rosse".
NAME_ADJECTIVES = _words(
    """popolare popolari operaio operaia operai rosse ufficiale regionale navale universitaria
    universitario democratica democratico socialista comunista federale liberale riformista
    progressista cristiana"""
)
PLACE_PREPS = _words("in a at from near nach aus à en verso presso")
ORG_LAST = _words(
    """inc corp corporation co ltd plc llc spa s.p.a srl gmbh ag sa nv bv group gruppo bank banca
    banco party partito university università universidad université universität college
    institute istituto ministry ministero council consiglio agency agenzia association
    associazione federation federazione union company compagnia airlines airways club foundation
    fondazione commission commissione committee comitato senate senato parliament parlamento
    court corte tribunale police polizia times post news press journal herald tribune gazette
    gazzetta motors holdings industries technologies systems energy petroleum pharmaceuticals
    reserve fund fondo authority autorità organization organisation organizzazione office
    department dipartimento army esercito navy force forces guard guardia church assembly
    assemblea front fronte movement movimento alliance alleanza league congress congresso
    cabinet government governo fc cf ac calcio united rovers wanderers athletic sporting team
    racing records studios entertainment pictures network radio tv television channel hospital
    ospedale school scuola procura carabinieri inter ministère ministerium partei parti partido
    telecom airport aeroporto institution exchange service services bureau observatory
    laboratory laboratories lab railroad railway railways"""
)
ORG_FIRST = _words(
    """university università universidad université bank banca banco ministry ministero
    commissione comitato partito consiglio camera corte federazione agenzia istituto fondazione
    associazione department federal movimento procura polizia guardia tribunale ospedale museo
    museum ministère ministerium prefettura questura"""
)
LOC_WORDS = _words(
    """river fiume lake lago mount monte mountains monti island islands isola isole sea mare ocean
    oceano gulf golfo bay baia valley valle street via viale piazza square avenue road strait
    stretto peninsula penisola desert deserto county province provincia region regione canal
    canale coast costa park parco bridge ponte oriente occidente city pond dock beach cave
    harbour harbor hill hills forest falls canyon glacier heights spiaggia grotta collina circus
    pradesh cappella basilica cattedrale cathedral piazzale stadio stadium castello"""
)
# Names that are also common words opening a sentence (Italian "Nato a ..." = "born in").
COMMON_WORD_NAMES = _words("nato nata nati nate fed ice sole")
GEO_PREFIXES = _words(
    """north south east west new old upper lower greater central northern southern eastern
    western san santa st saint port fort mount lake nord sud est ovest centro nuova nuovo alta
    bassa"""
)
MISC_WORDS = _words(
    """cup coppa premio prize award awards festival contest championship championships campionato
    campionati olimpiadi olympics games giochi war guerra open prix slam trophy trofeo bill act
    treaty trattato accordo summit vertice expo mondiali mondiale series album tour day giornata
    jubilee giubileo biennale protocol protocollo agreement accord accordi pact patto declaration
    dichiarazione convention convenzione"""
)
CONNECTORS = _words(
    """di de del della dello dei degli delle da dal van von der den du des la le of the y bin ibn
    al el dos das do zu ter & d' dell' - ."""
)
# Glued to a surname by a hyphen ("al-Maliki", "bin-Salman"): part of a person's name.
NAME_PARTICLES = _words("al el bin ibn abu ben")
ENGLISH_HINTS = _words("the of and to is was that for with from by are has have said which")
ROMANCE_HINTS = _words("il della di che è per con una del gli le les des est et los las que")
DEMONYM_ENDINGS = ("ian", "ean", "ese", "ish")
WEAK_DEMONYM_ENDINGS = ("an", "ch", "ic", "i")
QUOTES_OPEN = set('.!?:;"“”«»([•·|…–—-')

# English nationality and group words, capitalised in English text: MISC, never a person.
DEMONYMS = _words(
    """afghan albanian algerian american andorran angolan arab argentine argentinian armenian
    asian australian austrian azerbaijani azeri bahraini bangladeshi belarusian belgian
    bolivian bosnian brazilian british bulgarian burmese burundian cambodian cameroonian canadian
    catalan chadian chechen chilean chinese colombian congolese croat croatian cuban cypriot
    czech danish dutch ecuadorean ecuadorian egyptian emirati english eritrean estonian ethiopian
    european filipino finnish flemish french gabonese georgian german ghanaian greek guatemalan
    guinean haitian honduran hungarian icelandic indian indonesian iranian iraqi irish israeli
    italian ivorian jamaican japanese jordanian kazakh kenyan korean kosovar kurdish kurd kuwaiti
    kyrgyz laotian latvian lebanese liberian libyan lithuanian macedonian malagasy malaysian
    malian maltese mexican moldovan mongolian montenegrin moroccan mozambican namibian nepalese
    nepali nigerian nigerien norwegian omani pakistani palestinian panamanian paraguayan persian
    peruvian polish portuguese qatari romanian russian rwandan salvadoran saudi scottish senegalese
    serb serbian sierra singaporean slovak slovenian somali spanish sudanese swedish swiss syrian
    taiwanese tajik tamil tanzanian thai tibetan togolese tunisian turkish turkmen ugandan
    ukrainian uruguayan uzbek venezuelan vietnamese welsh yemeni zambian zimbabwean african
    arabian latin nordic baltic balkan slavic sunni shia shiite muslim moslem christian catholic
    protestant orthodox jewish hindu buddhist islamic western eastern soviet communist socialist
    conservative liberal republican democrat democratic olympic"""
)
DEMONYMS = DEMONYMS | {w + "s" for w in DEMONYMS}

# Labels for a capitalised name with no evidence at all: a lone word could be anything (a
# demonym, a club, a surname) and is MISC, type unknown; two or more words are most often a person.
DEFAULT_SINGLE = "MISC"
DEFAULT_MULTI = "PER"

# Italian adjectives of place or level ("tedesca", "comunale"): stems before the ending.
ADJ_STEMS = _words(
    """italian tedesc frances britannic ingles american statunitens russ cines ucrain spagnol
    grec turc israelian iranian irachen sirian giappones indian egizian libic polacc ungheres
    svizzer austriac olandes portoghes romen serb croat afghan pakistan palestines libanes
    messican brasilian argentin canades australian nordcorean sudcorean corean venezuelan
    macedon albanes bulgar svedes norveges danes finlandes irlandes scozzes cuban cilen
    colombian nigerian sudafrican etiop somal marocchin tunisin algerin thailandes filippin
    indonesian birman georgian armen bielorus lituan letton eston cec slovacc sloven bosniac
    kosovar montenegrin malt islandes giordan sudanes congoles senegales kenyot vietnamit
    saudit ciprio belg comunal regional provincial federal nazional central militar local
    municipal statal israelit europe"""
)


def adjective_of_place(word: str) -> bool:
    """An Italian adjective of place or level after an institution ("tedesca", "comunale")."""
    for cut in (1, 2):
        if word[:-cut] in ADJ_STEMS and word[-cut:] in ("o", "a", "i", "e", "hi", "he"):
            return True
    return False


# Italian words between an organisation noun and its name: "l'agenzia di stampa giapponese Jiji",
# "la compagnia ferroviaria spagnola Renfe" (with adjective_of_place).
ORG_NOUN_MODIFIERS = _words(
    """di stampa ferroviaria aerea aereo petrolifera petrolifero farmaceutica farmaceutico
    automobilistica automobilistico energetica energetico telefonica telefonico statale pubblica
    pubblico privata privato tecnologica tecnologico online calcistica calcistico sportiva
    sportivo low cost"""
)
# Kinds of organisation that open its name: "il movimento Black Lives Matter", "l'associazione
# "Umana Solidarietà"".
ORG_NOUNS = _words(
    """movimento associazione organizzazione ong onlus fondazione sindacato federazione
    confederazione cooperativa consorzio holding startup organisation organization movement
    association foundation union"""
)
# Kinds of place before a place's name, not part of it: "tra i comuni di Venarotta e Gimignano",
# "la stazione di Garbagnate", "in località Raica", "the village of Khazna".
PLACE_KIND_NOUNS = _words(
    """comune comuni città paese paesi villaggio villaggi frazione località stazione aeroporto
    cimitero quartiere quartieri capoluogo borgo periferia territorio contrada zona
    village villages town towns city suburb district airport station"""
)
PLACE_KIND_LINKS = _words("di del della dello dell' d' of")
# Italian "of" and its article forms, linking a head noun to the name after it ("golfo del
# Messico", "ministero della Giustizia").
ITALIAN_LINKS = _words("di del della dello dei degli delle dell' d'")
