<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="nl_NL">
<context>
    <name>AdminDialog</name>
    <message>
        <source>Administration</source>
        <translation>Beheer</translation>
    </message>
    <message>
        <source>&amp;Users</source>
        <translation>&amp;Gebruikers</translation>
    </message>
    <message>
        <source>&amp;Audit log</source>
        <translation>&amp;Auditlog</translation>
    </message>
    <message>
        <source>&amp;Care flows per environment</source>
        <translation>&amp;Zorgpaden per omgeving</translation>
    </message>
</context>
<context>
    <name>AttentionDialog</name>
    <message>
        <source>Patient record</source>
        <translation>Patiëntgegevens</translation>
    </message>
    <message>
        <source>Enrollment</source>
        <translation>Inschrijving</translation>
    </message>
    <message>
        <source>User account</source>
        <translation>Gebruikersaccount</translation>
    </message>
    <message>
        <source>User deactivation</source>
        <translation>Uitschakeling van gebruiker</translation>
    </message>
    <message>
        <source>Changes that need attention</source>
        <translation>Wijzigingen die aandacht vragen</translation>
    </message>
    <message>
        <source>Refused changes</source>
        <translation>Geweigerde wijzigingen</translation>
    </message>
    <message>
        <source>Send &amp;again</source>
        <translation>&amp;Opnieuw versturen</translation>
    </message>
    <message>
        <source>&amp;Discard…</source>
        <translation>&amp;Weggooien…</translation>
    </message>
    <message numerus="yes">
        <source>tried %n×</source>
        <translation>
            <numerusform>%n× geprobeerd</numerusform>
            <numerusform>%n× geprobeerd</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing needs attention.</source>
        <translation>Niets vraagt aandacht.</translation>
    </message>
    <message>
        <source>Queued to be sent again with the next sync.</source>
        <translation>Wordt bij de volgende synchronisatie opnieuw verstuurd.</translation>
    </message>
    <message>
        <source>Discard this change?</source>
        <translation>Deze wijziging weggooien?</translation>
    </message>
    <message>
        <source>The backend will never receive this change. This is recorded in the audit log.</source>
        <translation>De server ontvangt deze wijziging nooit. Dit wordt vastgelegd in de auditlog.</translation>
    </message>
    <message>
        <source>Discarded.</source>
        <translation>Weggegooid.</translation>
    </message>
</context>
<context>
    <name>AuditPage</name>
    <message>
        <source>e.g. login, patient., user.</source>
        <translation>bijv. login, patient., user.</translation>
    </message>
    <message>
        <source>e.g. user:ann</source>
        <translation>bijv. user:ann</translation>
    </message>
    <message>
        <source>&amp;Action starts with:</source>
        <translation>&amp;Actie begint met:</translation>
    </message>
    <message>
        <source>Act&amp;or:</source>
        <translation>&amp;Door:</translation>
    </message>
    <message>
        <source>&amp;From:</source>
        <translation>&amp;Van:</translation>
    </message>
    <message>
        <source>&amp;To:</source>
        <translation>&amp;Tot:</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>Auditlog</translation>
    </message>
</context>
<context>
    <name>AuditTableModel</name>
    <message>
        <source>When</source>
        <translation>Wanneer</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Wie</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Wat</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Betreft</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Details</translation>
    </message>
</context>
<context>
    <name>BackendEditor</name>
    <message>
        <source>Edit backend</source>
        <translation>Server bewerken</translation>
    </message>
    <message>
        <source>Add backend</source>
        <translation>Server toevoegen</translation>
    </message>
    <message>
        <source>e.g. EU Sandbox</source>
        <translation>bijv. EU Sandbox</translation>
    </message>
    <message>
        <source>empty: the built-in local demo</source>
        <translation>leeg: de ingebouwde lokale demo</translation>
    </message>
    <message>
        <source>Allow &amp;test patients from the hospital</source>
        <translation>&amp;Testpatiënten uit het ziekenhuis toestaan</translation>
    </message>
    <message>
        <source>No real patients in Sandbox: hospital imports into this Sandbox are refused unless allowed here.</source>
        <translation>Geen echte patiënten in de Sandbox: import uit het ziekenhuis in deze Sandbox wordt geweigerd, tenzij u die hier toestaat.</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Naam:</translation>
    </message>
    <message>
        <source>&amp;Backend URL:</source>
        <translation>&amp;Server-URL:</translation>
    </message>
    <message>
        <source>&amp;Region:</source>
        <translation>&amp;Regio:</translation>
    </message>
    <message>
        <source>&amp;Environment:</source>
        <translation>&amp;Omgeving:</translation>
    </message>
</context>
<context>
    <name>BackendsModel</name>
    <message>
        <source>Name</source>
        <translation>Naam</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adres</translation>
    </message>
    <message>
        <source>Region</source>
        <translation>Regio</translation>
    </message>
    <message>
        <source>Environment</source>
        <translation>Omgeving</translation>
    </message>
    <message>
        <source>Test patients</source>
        <translation>Testpatiënten</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Actief</translation>
    </message>
    <message>
        <source>Local demo</source>
        <translation>Lokale demo</translation>
    </message>
    <message>
        <source>allowed</source>
        <translation>toegestaan</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>geweigerd</translation>
    </message>
    <message>
        <source>active</source>
        <translation>actief</translation>
    </message>
</context>
<context>
    <name>BackendsPage</name>
    <message>
        <source>Backends</source>
        <translation>Servers</translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation>&amp;Toevoegen…</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Bewerken…</translation>
    </message>
    <message>
        <source>Re&amp;move</source>
        <translation>&amp;Verwijderen</translation>
    </message>
    <message>
        <source>Make a&amp;ctive</source>
        <translation>&amp;Actief maken</translation>
    </message>
    <message>
        <source>Each backend keeps its own local cache; patients never move between them. Changing the active backend signs you out.</source>
        <translation>Elke server heeft een eigen lokale cache; patiënten gaan nooit van de ene naar de andere. Als u de actieve server wijzigt, wordt u uitgelogd.</translation>
    </message>
    <message>
        <source>The last backend cannot be removed.</source>
        <translation>De laatste server kan niet worden verwijderd.</translation>
    </message>
    <message>
        <source>The active backend cannot be removed: make another one active first.</source>
        <translation>De actieve server kan niet worden verwijderd: maak eerst een andere actief.</translation>
    </message>
    <message>
        <source>Choose a backend first.</source>
        <translation>Kies eerst een server.</translation>
    </message>
</context>
<context>
    <name>BaselineForm</name>
    <message>
        <source>a number, e.g. 72.5</source>
        <translation>een getal, bijv. 72,5</translation>
    </message>
    <message>
        <source>values separated by commas</source>
        <translation>waarden gescheiden door komma’s</translation>
    </message>
    <message>
        <source>{name} is required.</source>
        <translation>{name} is verplicht.</translation>
    </message>
    <message>
        <source>{name} must be a number.</source>
        <translation>{name} moet een getal zijn.</translation>
    </message>
    <message>
        <source>{name} must be a date.</source>
        <translation>{name} moet een datum zijn.</translation>
    </message>
    <message>
        <source>a number from {low} to {high}</source>
        <translation>een getal van {low} tot {high}</translation>
    </message>
</context>
<context>
    <name>CareFlowLinkDialog</name>
    <message>
        <source>&amp;Print handout</source>
        <translation>&amp;Folder afdrukken</translation>
    </message>
    <message>
        <source>&amp;Save as PDF</source>
        <translation>Op&amp;slaan als pdf</translation>
    </message>
    <message>
        <source>Show to &amp;patient</source>
        <translation>Aan &amp;patiënt tonen</translation>
    </message>
</context>
<context>
    <name>ChangePasswordDialog</name>
    <message>
        <source>Change my password</source>
        <translation>Mijn wachtwoord wijzigen</translation>
    </message>
    <message>
        <source>Choose a new password for %1.</source>
        <translation>Kies een nieuw wachtwoord voor %1.</translation>
    </message>
</context>
<context>
    <name>CompleteDialog</name>
    <message>
        <source>Complete: %1</source>
        <translation>Afronden: %1</translation>
    </message>
    <message>
        <source>Mark &amp;done</source>
        <translation>Markeren als &amp;gedaan</translation>
    </message>
    <message>
        <source>&amp;Submit</source>
        <translation>&amp;Versturen</translation>
    </message>
    <message>
        <source>Tick every item of the checklist first.</source>
        <translation>Vink eerst elk punt van de checklist aan.</translation>
    </message>
</context>
<context>
    <name>Deliveries</name>
    <message>
        <source>no reason given</source>
        <translation>geen reden opgegeven</translation>
    </message>
    <message>
        <source>Refused by the hospital ({code}): {reason}</source>
        <translation>Geweigerd door het ziekenhuis ({code}): {reason}</translation>
    </message>
    <message>
        <source>SMS not delivered: {reason}</source>
        <translation>Sms niet afgeleverd: {reason}</translation>
    </message>
    <message>
        <source>E-mail not delivered: {reason}</source>
        <translation>E-mail niet afgeleverd: {reason}</translation>
    </message>
    <message>
        <source>{channel} not delivered: {reason}</source>
        <translation>{channel} niet afgeleverd: {reason}</translation>
    </message>
    <message>
        <source>announcement of new work</source>
        <translation>aankondiging van nieuw werk</translation>
    </message>
    <message>
        <source>reminder</source>
        <translation>herinnering</translation>
    </message>
    <message>
        <source>sent by the care team</source>
        <translation>verstuurd door het zorgteam</translation>
    </message>
</context>
<context>
    <name>EnrollDialog</name>
    <message>
        <source>Enroll in a care flow</source>
        <translation>Inschrijven in een zorgpad</translation>
    </message>
    <message>
        <source>Care &amp;flow:</source>
        <translation>&amp;Zorgpad:</translation>
    </message>
    <message>
        <source>&amp;Physician:</source>
        <translation>&amp;Arts:</translation>
    </message>
    <message>
        <source>&amp;Enroll</source>
        <translation>&amp;Inschrijven</translation>
    </message>
    <message>
        <source>Loading care flows…</source>
        <translation>Zorgpaden laden…</translation>
    </message>
    <message>
        <source>— the patient&apos;s physician —</source>
        <translation>— de arts van de patiënt —</translation>
    </message>
    <message>
        <source>No published care flows yet. They arrive with the next sync with the backend.</source>
        <translation>Nog geen gepubliceerde zorgpaden. Ze komen binnen bij de volgende synchronisatie met de server.</translation>
    </message>
    <message>
        <source>Already enrolled in %1 since %2 (%3): enrolling again starts a second one.</source>
        <translation>Al ingeschreven in %1 sinds %2 (%3): opnieuw inschrijven start een tweede.</translation>
    </message>
    <message>
        <source>Enroll in a second one anyway?</source>
        <translation>Toch in een tweede inschrijven?</translation>
    </message>
    <message>
        <source>Enroll again?</source>
        <translation>Opnieuw inschrijven?</translation>
    </message>
</context>
<context>
    <name>EnrollmentPosterDialog</name>
    <message>
        <source>Enrollment poster</source>
        <translation>Inschrijvingsposter</translation>
    </message>
    <message>
        <source>Poster &amp;language:</source>
        <translation>&amp;Taal van de poster:</translation>
    </message>
    <message>
        <source>&amp;Print poster</source>
        <translation>&amp;Poster afdrukken</translation>
    </message>
    <message>
        <source>&amp;Save as PDF</source>
        <translation>Op&amp;slaan als pdf</translation>
    </message>
    <message>
        <source>Getting an enrollment link…</source>
        <translation>Inschrijvingslink ophalen…</translation>
    </message>
    <message>
        <source>Anyone who scans this can enroll themselves</source>
        <translation>Iedereen die dit scant, kan zichzelf inschrijven</translation>
    </message>
    <message>
        <source>No code</source>
        <translation>Geen code</translation>
    </message>
</context>
<context>
    <name>EnvironmentBanner</name>
    <message>
        <source>LOCAL DEMO — not for real patients</source>
        <translation>LOKALE DEMO — niet voor echte patiënten</translation>
    </message>
    <message>
        <source>{region} SANDBOX — test patients only</source>
        <translation>{region} SANDBOX — alleen testpatiënten</translation>
    </message>
    <message>
        <source>{region} PRODUCTION — real patients</source>
        <translation>{region} PRODUCTIE — echte patiënten</translation>
    </message>
</context>
<context>
    <name>FormRenderer</name>
    <message>
        <source>Yes</source>
        <translation>Ja</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Nee</translation>
    </message>
</context>
<context>
    <name>Handout</name>
    <message>
        <source>The handout was sent to the printer.</source>
        <translation>De folder is naar de printer gestuurd.</translation>
    </message>
    <message>
        <source>Saved {name}.</source>
        <translation>{name} opgeslagen.</translation>
    </message>
    <message>
        <source>Print handout</source>
        <translation>Folder afdrukken</translation>
    </message>
    <message>
        <source>Save handout as PDF</source>
        <translation>Folder opslaan als pdf</translation>
    </message>
</context>
<context>
    <name>HospitalPage</name>
    <message>
        <source>HL7 v2 query (QRY^A19 over MLLP)</source>
        <translation>HL7 v2-query (QRY^A19 via MLLP)</translation>
    </message>
    <message>
        <source>PDQm web service (FHIR)</source>
        <translation>PDQm-webservice (FHIR)</translation>
    </message>
    <message>
        <source>empty: UTF-8, else ISO 8859-1; e.g. CP1250</source>
        <translation>leeg: UTF-8, anders ISO 8859-1; bijv. CP1250</translation>
    </message>
    <message>
        <source>MLLP h&amp;ost:</source>
        <translation>MLLP-&amp;host:</translation>
    </message>
    <message>
        <source>MLLP &amp;port:</source>
        <translation>MLLP-&amp;poort:</translation>
    </message>
    <message>
        <source>Sending &amp;application (MSH-3):</source>
        <translation>Verzendende &amp;applicatie (MSH-3):</translation>
    </message>
    <message>
        <source>Sending &amp;facility (MSH-4):</source>
        <translation>Verzendende &amp;instelling (MSH-4):</translation>
    </message>
    <message>
        <source>Receiving a&amp;pplication (MSH-5):</source>
        <translation>Ontvangende app&amp;licatie (MSH-5):</translation>
    </message>
    <message>
        <source>Receiving fa&amp;cility (MSH-6):</source>
        <translation>Ontvangende instelli&amp;ng (MSH-6):</translation>
    </message>
    <message>
        <source>HL7 &amp;version:</source>
        <translation>HL7-&amp;versie:</translation>
    </message>
    <message>
        <source>&amp;Encoding (MSH-18):</source>
        <translation>&amp;Codering (MSH-18):</translation>
    </message>
    <message>
        <source>Character set of messages &amp;without MSH-18:</source>
        <translation>Tekenset van berichten &amp;zonder MSH-18:</translation>
    </message>
    <message>
        <source>&amp;Query authority:</source>
        <translation>Instantie in &amp;query:</translation>
    </message>
    <message>
        <source>HL7 v2 over MLLP</source>
        <translation>HL7 v2 via MLLP</translation>
    </message>
    <message>
        <source>Authority</source>
        <translation>Instantie</translation>
    </message>
    <message>
        <source>Type code</source>
        <translation>Typecode</translation>
    </message>
    <message>
        <source>System</source>
        <translation>Systeem</translation>
    </message>
    <message>
        <source>Identifier rule</source>
        <translation>Identificatieregel</translation>
    </message>
    <message>
        <source>A PID-3 entry with this assigning authority (* for any) and type code is kept under this system.</source>
        <translation>Een PID-3-identificatie met deze toewijzende instantie (* voor elke) en deze typecode wordt onder dit systeem bewaard.</translation>
    </message>
    <message>
        <source>Patient &amp;id system:</source>
        <translation>Systeem voor &amp;patiëntnummer:</translation>
    </message>
    <message>
        <source>Visit &amp;number system:</source>
        <translation>Systeem voor &amp;opnamenummer:</translation>
    </message>
    <message>
        <source>Identifier &amp;rules:</source>
        <translation>Identificatie&amp;regels:</translation>
    </message>
    <message>
        <source>Identifiers</source>
        <translation>Identificaties</translation>
    </message>
    <message>
        <source>empty: the profile&apos;s siu-inbox folder</source>
        <translation>leeg: de map siu-inbox van het profiel</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Kiezen…</translation>
    </message>
    <message>
        <source>Choose the SIU folder</source>
        <translation>Kies de SIU-map</translation>
    </message>
    <message>
        <source>Service or type code</source>
        <translation>Dienst- of typecode</translation>
    </message>
    <message>
        <source>Care flow definition id</source>
        <translation>Id van de zorgpaddefinitie</translation>
    </message>
    <message>
        <source>SIU mapping row</source>
        <translation>SIU-koppelregel</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>PD&amp;Qm base URL:</source>
        <translation>PD&amp;Qm-basis-URL:</translation>
    </message>
    <message>
        <source>&amp;SIU folder:</source>
        <translation>&amp;SIU-map:</translation>
    </message>
    <message>
        <source>SIU service → care &amp;flow:</source>
        <translation>SIU-dienst → &amp;zorgpad:</translation>
    </message>
    <message>
        <source>&amp;Default source:</source>
        <translation>&amp;Standaardbron:</translation>
    </message>
    <message>
        <source>&amp;Timeout:</source>
        <translation>&amp;Time-out:</translation>
    </message>
    <message>
        <source>A&amp;ttempts:</source>
        <translation>Po&amp;gingen:</translation>
    </message>
    <message>
        <source>PDQm, SIU folder and connection</source>
        <translation>PDQm, SIU-map en verbinding</translation>
    </message>
    <message>
        <source>Local demo hospital, this session: HL7 MLLP {mllp}, PDQm {pdqm}. Used while no hospital is configured, by this app and by careapp import and careapp siu-pull.</source>
        <translation>Lokaal demoziekenhuis, deze sessie: HL7 MLLP {mllp}, PDQm {pdqm}. Gebruikt zolang er geen ziekenhuis is ingesteld, door deze app en door careapp import en careapp siu-pull.</translation>
    </message>
    <message>
        <source>Local demo hospital endpoints</source>
        <translation>Adressen van het lokale demoziekenhuis</translation>
    </message>
    <message>
        <source>SIU folder</source>
        <translation>SIU-map</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <source>HL7 A19 query</source>
        <translation>HL7 A19-query</translation>
    </message>
    <message>
        <source>PDQm web service</source>
        <translation>PDQm-webservice</translation>
    </message>
    <message>
        <source>Import patient from the hospital</source>
        <translation>Patiënt importeren uit het ziekenhuis</translation>
    </message>
    <message>
        <source>type or scan</source>
        <translation>typen of scannen</translation>
    </message>
    <message>
        <source>Hospital patient id</source>
        <translation>Patiëntnummer ziekenhuis</translation>
    </message>
    <message>
        <source>Visit number</source>
        <translation>Opnamenummer</translation>
    </message>
    <message>
        <source>&amp;Look up</source>
        <translation>&amp;Opzoeken</translation>
    </message>
    <message>
        <source>&amp;Id:</source>
        <translation>&amp;Nummer:</translation>
    </message>
    <message>
        <source>&amp;Kind:</source>
        <translation>&amp;Soort:</translation>
    </message>
    <message>
        <source>&amp;Source:</source>
        <translation>&amp;Bron:</translation>
    </message>
    <message>
        <source>Matching patients</source>
        <translation>Gevonden patiënten</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Voorbeeld</translation>
    </message>
    <message>
        <source>&amp;Save patient</source>
        <translation>&amp;Patiënt opslaan</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>Sl&amp;uiten</translation>
    </message>
    <message>
        <source>&amp;Physician:</source>
        <translation>&amp;Arts:</translation>
    </message>
    <message>
        <source>Enter a hospital patient id or visit number.</source>
        <translation>Voer een patiëntnummer of opnamenummer van het ziekenhuis in.</translation>
    </message>
    <message>
        <source>Asking the hospital…</source>
        <translation>Het ziekenhuis wordt bevraagd…</translation>
    </message>
    <message numerus="yes">
        <source>%n patients match: choose one.</source>
        <translation>
            <numerusform>%n patiënt gevonden: kies deze.</numerusform>
            <numerusform>%n patiënten gevonden: kies er een.</numerusform>
        </translation>
    </message>
    <message>
        <source>Check the details and the physician, then save (Enter).</source>
        <translation>Controleer de gegevens en de arts en sla daarna op (Enter).</translation>
    </message>
    <message>
        <source>The hospital knows no patient with this id.</source>
        <translation>Het ziekenhuis kent geen patiënt met dit nummer.</translation>
    </message>
    <message>
        <source>Born</source>
        <translation>Geboren</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Geslacht</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Telefoon</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adres</translation>
    </message>
    <message>
        <source>named by the hospital record</source>
        <translation>genoemd in het ziekenhuisdossier</translation>
    </message>
    <message>
        <source>Choose the physician first.</source>
        <translation>Kies eerst de arts.</translation>
    </message>
    <message>
        <source>Saved: a new patient in CareApp.</source>
        <translation>Opgeslagen: een nieuwe patiënt in CareApp.</translation>
    </message>
    <message>
        <source>This patient was known already: the details were updated.</source>
        <translation>Deze patiënt was al bekend: de gegevens zijn bijgewerkt.</translation>
    </message>
</context>
<context>
    <name>LinkActions</name>
    <message>
        <source>Message queued; it goes with the next sync.</source>
        <translation>Bericht in de wachtrij; het vertrekt bij de volgende synchronisatie.</translation>
    </message>
    <message>
        <source>Link copied.</source>
        <translation>Link gekopieerd.</translation>
    </message>
</context>
<context>
    <name>LinkDialogFrame</name>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <source>Locked</source>
        <translation>Vergrendeld</translation>
    </message>
    <message>
        <source>&amp;Unlock</source>
        <translation>&amp;Ontgrendelen</translation>
    </message>
    <message>
        <source>S&amp;witch user</source>
        <translation>&amp;Andere gebruiker</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Wachtwoord:</translation>
    </message>
    <message>
        <source>&lt;h2&gt;Workstation locked&lt;/h2&gt;&lt;p&gt;Signed in as %1. Enter your password to continue.&lt;/p&gt;</source>
        <translation>&lt;h2&gt;Werkstation vergrendeld&lt;/h2&gt;&lt;p&gt;Ingelogd als %1. Voer uw wachtwoord in om verder te gaan.&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>CareApp — sign in</source>
        <translation>CareApp — inloggen</translation>
    </message>
    <message>
        <source>&lt;h2&gt;CareApp&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;CareApp&lt;/h2&gt;</translation>
    </message>
    <message>
        <source>An admin reset your password. Choose your own before you continue.</source>
        <translation>Een beheerder heeft uw wachtwoord opnieuw ingesteld. Kies uw eigen wachtwoord voordat u verdergaat.</translation>
    </message>
    <message>
        <source>Opening the local cache…</source>
        <translation>Lokale cache openen…</translation>
    </message>
    <message>
        <source>&amp;User name:</source>
        <translation>&amp;Gebruikersnaam:</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Wachtwoord:</translation>
    </message>
    <message>
        <source>&amp;Sign in</source>
        <translation>&amp;Inloggen</translation>
    </message>
    <message numerus="yes">
        <source>This workstation has no accounts yet. Create the first admin account. The password needs at least %n characters.</source>
        <translation>
            <numerusform>Dit werkstation heeft nog geen accounts. Maak het eerste beheerdersaccount aan. Het wachtwoord moet minstens %n teken lang zijn.</numerusform>
            <numerusform>Dit werkstation heeft nog geen accounts. Maak het eerste beheerdersaccount aan. Het wachtwoord moet minstens %n tekens lang zijn.</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Full name:</source>
        <translation>&amp;Volledige naam:</translation>
    </message>
    <message>
        <source>&amp;Repeat password:</source>
        <translation>Wachtwoord &amp;herhalen:</translation>
    </message>
    <message>
        <source>&amp;Create admin account</source>
        <translation>&amp;Beheerdersaccount aanmaken</translation>
    </message>
    <message>
        <source>Enter your user name and password.</source>
        <translation>Voer uw gebruikersnaam en wachtwoord in.</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Inloggen…</translation>
    </message>
    <message numerus="yes">
        <source>Too many failed attempts. Try again in %n s.</source>
        <translation>
            <numerusform>Te veel mislukte pogingen. Probeer het over %n s opnieuw.</numerusform>
            <numerusform>Te veel mislukte pogingen. Probeer het over %n s opnieuw.</numerusform>
        </translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>De twee wachtwoorden verschillen.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>CareApp</source>
        <translation>CareApp</translation>
    </message>
    <message>
        <source>Patients</source>
        <translation>Patiënten</translation>
    </message>
    <message>
        <source>Work list</source>
        <translation>Werklijst</translation>
    </message>
    <message>
        <source>Signed in: %1 (%2)</source>
        <translation>Ingelogd: %1 (%2)</translation>
    </message>
    <message>
        <source>Work list counts</source>
        <translation>Aantallen in de werklijst</translation>
    </message>
    <message>
        <source>&amp;Ward</source>
        <translation>&amp;Afdeling</translation>
    </message>
    <message>
        <source>&amp;Find patient</source>
        <translation>&amp;Zoek patiënt</translation>
    </message>
    <message>
        <source>&amp;Import patient…</source>
        <translation>Patiënt &amp;importeren…</translation>
    </message>
    <message>
        <source>Pull &amp;SIU now…</source>
        <translation>SIU nu &amp;ophalen…</translation>
    </message>
    <message>
        <source>&amp;Enroll in a care flow…</source>
        <translation>In&amp;schrijven in een zorgpad…</translation>
    </message>
    <message>
        <source>&amp;Work list</source>
        <translation>&amp;Werklijst</translation>
    </message>
    <message>
        <source>&amp;Complete the selected activity…</source>
        <translation>Gekozen activiteit &amp;afronden…</translation>
    </message>
    <message>
        <source>S&amp;top the selected care flow…</source>
        <translation>Gekozen zorgpad &amp;stoppen…</translation>
    </message>
    <message>
        <source>S&amp;ync now</source>
        <translation>Nu s&amp;ynchroniseren</translation>
    </message>
    <message>
        <source>&amp;Waiting-room poster…</source>
        <translation>&amp;Wachtkamerposter…</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Vernieuwen</translation>
    </message>
    <message>
        <source>&amp;Lock workstation</source>
        <translation>Werkstation ver&amp;grendelen</translation>
    </message>
    <message>
        <source>&amp;Switch user</source>
        <translation>&amp;Andere gebruiker</translation>
    </message>
    <message>
        <source>Change my &amp;password…</source>
        <translation>&amp;Mijn wachtwoord wijzigen…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>A&amp;fsluiten</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>E&amp;xtra</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Instellingen…</translation>
    </message>
    <message>
        <source>&amp;Administration…</source>
        <translation>&amp;Beheer…</translation>
    </message>
    <message>
        <source>Select a patient first.</source>
        <translation>Selecteer eerst een patiënt.</translation>
    </message>
    <message>
        <source>Enrolled. The session QR needs a backend.</source>
        <translation>Ingeschreven. Voor de sessie-QR is een server nodig.</translation>
    </message>
    <message>
        <source>Enrolled. The session QR opens once the backend has started the care flow.</source>
        <translation>Ingeschreven. De sessie-QR verschijnt zodra de server het zorgpad heeft gestart.</translation>
    </message>
    <message>
        <source>No published care flows yet: sync first.</source>
        <translation>Nog geen gepubliceerde zorgpaden: synchroniseer eerst.</translation>
    </message>
    <message>
        <source>None of the published care flows can be started by patients themselves.</source>
        <translation>Geen van de gepubliceerde zorgpaden kan door patiënten zelf worden gestart.</translation>
    </message>
    <message>
        <source>Waiting-room poster</source>
        <translation>Wachtkamerposter</translation>
    </message>
    <message>
        <source>Care flow:</source>
        <translation>Zorgpad:</translation>
    </message>
    <message>
        <source>Your password was changed.</source>
        <translation>Uw wachtwoord is gewijzigd.</translation>
    </message>
    <message>
        <source>The backend changed. Sign in to the new environment.</source>
        <translation>De server is gewijzigd. Log in op de nieuwe omgeving.</translation>
    </message>
</context>
<context>
    <name>MessageLabel</name>
    <message>
        <source>Message</source>
        <translation>Melding</translation>
    </message>
</context>
<context>
    <name>NewPasswordForm</name>
    <message>
        <source>&amp;Current password:</source>
        <translation>&amp;Huidig wachtwoord:</translation>
    </message>
    <message>
        <source>&amp;New password:</source>
        <translation>&amp;Nieuw wachtwoord:</translation>
    </message>
    <message>
        <source>&amp;Repeat new password:</source>
        <translation>Nieuw wachtwoord he&amp;rhalen:</translation>
    </message>
    <message numerus="yes">
        <source>At least %n characters, not your user name.</source>
        <translation>
            <numerusform>Minstens %n teken, niet uw gebruikersnaam.</numerusform>
            <numerusform>Minstens %n tekens, niet uw gebruikersnaam.</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Change password</source>
        <translation>Wachtwoord &amp;wijzigen</translation>
    </message>
    <message>
        <source>The two new passwords differ.</source>
        <translation>De twee nieuwe wachtwoorden verschillen.</translation>
    </message>
</context>
<context>
    <name>NewUserDialog</name>
    <message>
        <source>New user</source>
        <translation>Nieuwe gebruiker</translation>
    </message>
    <message>
        <source>&amp;User name:</source>
        <translation>&amp;Gebruikersnaam:</translation>
    </message>
    <message>
        <source>&amp;Full name:</source>
        <translation>&amp;Volledige naam:</translation>
    </message>
    <message>
        <source>&amp;Role:</source>
        <translation>&amp;Rol:</translation>
    </message>
    <message>
        <source>&amp;Temporary password:</source>
        <translation>&amp;Tijdelijk wachtwoord:</translation>
    </message>
</context>
<context>
    <name>PatientDetailPanel</name>
    <message>
        <source>Session &amp;QR</source>
        <translation>Sessie-&amp;QR</translation>
    </message>
    <message>
        <source>Send by SMS / e-&amp;mail…</source>
        <translation>Versturen per sms / e-&amp;mail…</translation>
    </message>
    <message>
        <source>S&amp;tatic link QR</source>
        <translation>QR van vaste &amp;link</translation>
    </message>
    <message>
        <source>&amp;Copy link</source>
        <translation>Link &amp;kopiëren</translation>
    </message>
    <message>
        <source>&amp;Print handout…</source>
        <translation>&amp;Folder afdrukken…</translation>
    </message>
    <message>
        <source>Save handout as P&amp;DF…</source>
        <translation>Folder opslaan als p&amp;df…</translation>
    </message>
    <message>
        <source>Show to pa&amp;tient</source>
        <translation>Aan &amp;patiënt tonen</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>Patiënt</translation>
    </message>
    <message>
        <source>Care flows</source>
        <translation>Zorgpaden</translation>
    </message>
    <message>
        <source>&lt;b&gt;Care flows&lt;/b&gt;</source>
        <translation>&lt;b&gt;Zorgpaden&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&amp;Enroll in a care flow…</source>
        <translation>In&amp;schrijven in een zorgpad…</translation>
    </message>
    <message>
        <source>Enroll in a care flow</source>
        <translation>Inschrijven in een zorgpad</translation>
    </message>
    <message>
        <source>Activities</source>
        <translation>Activiteiten</translation>
    </message>
    <message>
        <source>&lt;b&gt;Activities&lt;/b&gt;</source>
        <translation>&lt;b&gt;Activiteiten&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Results sent to the hospital</source>
        <translation>Resultaten naar het ziekenhuis</translation>
    </message>
    <message>
        <source>Links and QR codes are ready once this care flow has started on the backend.</source>
        <translation>Links en QR-codes zijn klaar zodra dit zorgpad op de server is gestart.</translation>
    </message>
    <message>
        <source>Activities appear once the care flow has started.</source>
        <translation>Activiteiten verschijnen zodra het zorgpad is gestart.</translation>
    </message>
    <message>
        <source>patient</source>
        <translation>patiënt</translation>
    </message>
    <message>
        <source>No activities yet.</source>
        <translation>Nog geen activiteiten.</translation>
    </message>
    <message numerus="yes">
        <source>Results to the hospital: %n delivered</source>
        <translation>
            <numerusform>Resultaten naar het ziekenhuis: %n afgeleverd</numerusform>
            <numerusform>Resultaten naar het ziekenhuis: %n afgeleverd</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n waiting to be accepted</source>
        <translation>
            <numerusform>, %n wacht op aanvaarding</numerusform>
            <numerusform>, %n wachten op aanvaarding</numerusform>
        </translation>
    </message>
    <message>
        <source>&lt;p style=&apos;color:#6b7280&apos;&gt;Select a patient, or import one from the hospital.&lt;/p&gt;</source>
        <translation>&lt;p style=&apos;color:#6b7280&apos;&gt;Selecteer een patiënt of importeer er een uit het ziekenhuis.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Telefoon</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adres</translation>
    </message>
    <message>
        <source>queued: starts when the backend is reachable</source>
        <translation>in de wachtrij: start zodra de server bereikbaar is</translation>
    </message>
    <message>
        <source>since %1</source>
        <translation>sinds %1</translation>
    </message>
    <message>
        <source>%1 of %2 activities done</source>
        <translation>%1 van %2 activiteiten gedaan</translation>
    </message>
    <message>
        <source>Not enrolled in any care flow yet.</source>
        <translation>Nog niet ingeschreven in een zorgpad.</translation>
    </message>
</context>
<context>
    <name>PatientListPanel</name>
    <message>
        <source>Search by name or id — or scan a wristband</source>
        <translation>Zoek op naam of nummer — of scan een polsbandje</translation>
    </message>
    <message>
        <source>Search patients</source>
        <translation>Patiënten zoeken</translation>
    </message>
    <message>
        <source>Patients</source>
        <translation>Patiënten</translation>
    </message>
</context>
<context>
    <name>PatientQrView</name>
    <message>
        <source>Scan with your phone</source>
        <translation>Scan met uw telefoon</translation>
    </message>
    <message>
        <source>QR code for the patient</source>
        <translation>QR-code voor de patiënt</translation>
    </message>
</context>
<context>
    <name>PatientTableModel</name>
    <message>
        <source>Name</source>
        <translation>Naam</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>Geboortedatum</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Geslacht</translation>
    </message>
    <message>
        <source>Hospital id</source>
        <translation>Ziekenhuisnummer</translation>
    </message>
</context>
<context>
    <name>PromotionsPage</name>
    <message>
        <source>Care flows per environment</source>
        <translation>Zorgpaden per omgeving</translation>
    </message>
    <message>
        <source>&amp;Reload</source>
        <translation>&amp;Opnieuw laden</translation>
    </message>
    <message>
        <source>Asking each backend…</source>
        <translation>Elke server wordt bevraagd…</translation>
    </message>
    <message>
        <source>Care flow</source>
        <translation>Zorgpad</translation>
    </message>
    <message>
        <source>Warnings</source>
        <translation>Waarschuwingen</translation>
    </message>
    <message>
        <source>%1 care flows; %2 changed since their last promotion.</source>
        <translation>%1 zorgpaden; %2 gewijzigd sinds de laatste overzetting.</translation>
    </message>
    <message>
        <source>No care flows.</source>
        <translation>Geen zorgpaden.</translation>
    </message>
</context>
<context>
    <name>QrCodeView</name>
    <message>
        <source>QR code</source>
        <translation>QR-code</translation>
    </message>
    <message>
        <source>QR code of the patient&apos;s link</source>
        <translation>QR-code van de link van de patiënt</translation>
    </message>
</context>
<context>
    <name>RowsEditor</name>
    <message>
        <source>Add</source>
        <translation>Toevoegen</translation>
    </message>
    <message>
        <source>Add %1</source>
        <translation>%1 toevoegen</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Verwijderen</translation>
    </message>
    <message>
        <source>Remove %1</source>
        <translation>%1 verwijderen</translation>
    </message>
</context>
<context>
    <name>SendLinkDialog</name>
    <message>
        <source>Send by SMS / e-mail</source>
        <translation>Versturen per sms / e-mail</translation>
    </message>
    <message>
        <source>&amp;E-mail</source>
        <translation>&amp;E-mail</translation>
    </message>
    <message>
        <source>&amp;SMS</source>
        <translation>&amp;Sms</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adres</translation>
    </message>
    <message>
        <source>&amp;To:</source>
        <translation>&amp;Aan:</translation>
    </message>
    <message>
        <source>The care flow&apos;s link (never expires)</source>
        <translation>De link van het zorgpad (verloopt nooit)</translation>
    </message>
    <message>
        <source>A session link (valid 60 minutes)</source>
        <translation>Een sessielink (60 minuten geldig)</translation>
    </message>
    <message>
        <source>Link</source>
        <translation>Link</translation>
    </message>
    <message>
        <source>&amp;Link:</source>
        <translation>&amp;Link:</translation>
    </message>
    <message>
        <source>Asking the backend whether the patient opted out…</source>
        <translation>De server vragen of de patiënt zich heeft afgemeld…</translation>
    </message>
    <message>
        <source>Opt-out and delivery</source>
        <translation>Afmelding en bezorging</translation>
    </message>
    <message>
        <source>Se&amp;nd</source>
        <translation>&amp;Versturen</translation>
    </message>
    <message>
        <source>Channel:</source>
        <translation>Kanaal:</translation>
    </message>
    <message>
        <source>Offline: the message is sent at the next sync.</source>
        <translation>Offline: het bericht vertrekt bij de volgende synchronisatie.</translation>
    </message>
    <message>
        <source>e-mail</source>
        <translation>e-mail</translation>
    </message>
    <message>
        <source>SMS</source>
        <translation>sms</translation>
    </message>
    <message>
        <source>The patient opted out of %1.</source>
        <translation>De patiënt heeft zich afgemeld voor %1.</translation>
    </message>
    <message numerus="yes">
        <source>%n earlier message(s) could not be delivered.</source>
        <translation>
            <numerusform>%n eerder bericht kon niet worden bezorgd.</numerusform>
            <numerusform>%n eerdere berichten konden niet worden bezorgd.</numerusform>
        </translation>
    </message>
    <message>
        <source>The patient can be reached on both channels.</source>
        <translation>De patiënt is via beide kanalen bereikbaar.</translation>
    </message>
    <message>
        <source>Type the address to send to.</source>
        <translation>Typ het adres om naar te versturen.</translation>
    </message>
    <message>
        <source>Send to %1? The hospital gave %2.</source>
        <translation>Versturen naar %1? Het ziekenhuis gaf %2.</translation>
    </message>
    <message>
        <source>no address</source>
        <translation>geen adres</translation>
    </message>
    <message>
        <source>Another address</source>
        <translation>Een ander adres</translation>
    </message>
    <message>
        <source>Could not queue the message: %1</source>
        <translation>Kon het bericht niet in de wachtrij zetten: %1</translation>
    </message>
</context>
<context>
    <name>SessionQrDialog</name>
    <message>
        <source>Session QR code</source>
        <translation>QR-code voor de sessie</translation>
    </message>
    <message>
        <source>&amp;New code</source>
        <translation>&amp;Nieuwe code</translation>
    </message>
    <message>
        <source>&amp;Copy link</source>
        <translation>Link &amp;kopiëren</translation>
    </message>
    <message>
        <source>C&amp;lose</source>
        <translation>&amp;Sluiten</translation>
    </message>
    <message>
        <source>Creating a new code…</source>
        <translation>Nieuwe code maken…</translation>
    </message>
    <message>
        <source>Nothing to do now</source>
        <translation>Nu niets te doen</translation>
    </message>
    <message>
        <source>The patient</source>
        <translation>De patiënt</translation>
    </message>
    <message>
        <source>%1 has no activities waiting in this care flow and none is scheduled.</source>
        <translation>%1 heeft geen openstaande activiteiten in dit zorgpad en er is er geen gepland.</translation>
    </message>
    <message>
        <source>%1 has no activities waiting in this care flow. The next one opens on %2: make a new code then.</source>
        <translation>%1 heeft geen openstaande activiteiten in dit zorgpad. De volgende opent op %2: maak dan een nieuwe code.</translation>
    </message>
    <message>
        <source>&amp;Check again</source>
        <translation>&amp;Opnieuw kijken</translation>
    </message>
    <message>
        <source>No code</source>
        <translation>Geen code</translation>
    </message>
    <message>
        <source>&amp;Try again</source>
        <translation>Opnieuw &amp;proberen</translation>
    </message>
    <message>
        <source>Active · valid for {time}</source>
        <translation>Actief · nog {time} geldig</translation>
    </message>
    <message>
        <source>All done. Thank you!</source>
        <translation>Alles klaar. Bedankt!</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Afgerond</translation>
    </message>
    <message>
        <source>This code has expired.</source>
        <translation>Deze code is verlopen.</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Verlopen</translation>
    </message>
    <message>
        <source>Link copied.</source>
        <translation>Link gekopieerd.</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Workstation settings</source>
        <translation>Instellingen van het werkstation</translation>
    </message>
    <message>
        <source>&amp;Backends</source>
        <translation>&amp;Servers</translation>
    </message>
    <message>
        <source>&amp;Hospital</source>
        <translation>&amp;Ziekenhuis</translation>
    </message>
    <message>
        <source>&amp;Workstation</source>
        <translation>&amp;Werkstation</translation>
    </message>
</context>
<context>
    <name>SiuPullDialog</name>
    <message>
        <source>Pull SIU messages</source>
        <translation>SIU-berichten ophalen</translation>
    </message>
    <message>
        <source>Reading the drop folder…</source>
        <translation>De afleveringsmap wordt gelezen…</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Voortgang</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>&amp;Annuleren</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>&amp;Sluiten</translation>
    </message>
    <message>
        <source>File %1 of %2…</source>
        <translation>Bestand %1 van %2…</translation>
    </message>
    <message>
        <source>Stopping after the current file…</source>
        <translation>Stoppen na het huidige bestand…</translation>
    </message>
    <message>
        <source>%1 files read, %2 moved to error/.</source>
        <translation>%1 bestanden gelezen, %2 verplaatst naar error/.</translation>
    </message>
    <message>
        <source>%1 new patients, %2 updated, %3 care flows queued.</source>
        <translation>%1 nieuwe patiënten, %2 bijgewerkt, %3 zorgpaden in de wachtrij.</translation>
    </message>
    <message>
        <source>%1 messages were seen before and skipped.</source>
        <translation>%1 berichten waren al eerder ontvangen en zijn overgeslagen.</translation>
    </message>
    <message>
        <source>%1 files are still being written; next pull.</source>
        <translation>%1 bestanden worden nog geschreven; bij de volgende ophaalronde.</translation>
    </message>
    <message>
        <source>Cancelled: the rest waits for the next pull.</source>
        <translation>Geannuleerd: de rest wacht op de volgende ophaalronde.</translation>
    </message>
</context>
<context>
    <name>StaticLinkDialog</name>
    <message>
        <source>Static link QR code</source>
        <translation>QR-code van de vaste link</translation>
    </message>
    <message>
        <source>&amp;Copy link</source>
        <translation>Link &amp;kopiëren</translation>
    </message>
    <message>
        <source>Getting the link…</source>
        <translation>Link ophalen…</translation>
    </message>
    <message>
        <source>Valid until every activity is done</source>
        <translation>Geldig tot alle activiteiten gedaan zijn</translation>
    </message>
    <message>
        <source>No code</source>
        <translation>Geen code</translation>
    </message>
    <message>
        <source>Link copied.</source>
        <translation>Link gekopieerd.</translation>
    </message>
</context>
<context>
    <name>StopDialog</name>
    <message>
        <source>Stop care flow?</source>
        <translation>Zorgpad stoppen?</translation>
    </message>
    <message>
        <source>Stop %1 for %2? Its open activities are canceled and the patient&apos;s link shows nothing more.</source>
        <translation>%1 stoppen voor %2? De open activiteiten worden geannuleerd en de link van de patiënt toont niets meer.</translation>
    </message>
    <message>
        <source>&amp;Reason:</source>
        <translation>&amp;Reden:</translation>
    </message>
    <message>
        <source>&amp;Stop care flow</source>
        <translation>Zorgpad &amp;stoppen</translation>
    </message>
    <message>
        <source>Give a reason for stopping the care flow.</source>
        <translation>Geef een reden om het zorgpad te stoppen.</translation>
    </message>
</context>
<context>
    <name>SyncStatusBar</name>
    <message>
        <source>Connecting to the backend…</source>
        <translation>Verbinden met de server…</translation>
    </message>
    <message>
        <source>Not paired with the backend: changes are kept here</source>
        <translation>Niet gekoppeld aan de server: wijzigingen blijven hier bewaard</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Verbinden…</translation>
    </message>
    <message>
        <source>● Online</source>
        <translation>● Online</translation>
    </message>
    <message>
        <source>○ Offline: changes are kept here</source>
        <translation>○ Offline: wijzigingen blijven hier bewaard</translation>
    </message>
    <message numerus="yes">
        <source>%n to send</source>
        <translation>
            <numerusform>%n te versturen</numerusform>
            <numerusform>%n te versturen</numerusform>
        </translation>
    </message>
    <message>
        <source>synced %1</source>
        <translation>gesynchroniseerd om %1</translation>
    </message>
    <message>
        <source>credential stored in a file (no OS keyring)</source>
        <translation>toegangssleutel in een bestand bewaard (geen sleutelbos van het systeem)</translation>
    </message>
    <message>
        <source>Sync status</source>
        <translation>Synchronisatiestatus</translation>
    </message>
    <message>
        <source>Changes that need attention</source>
        <translation>Wijzigingen die aandacht vragen</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Nu synchroniseren</translation>
    </message>
    <message numerus="yes">
        <source>%n need attention</source>
        <translation>
            <numerusform>%n vraagt aandacht</numerusform>
            <numerusform>%n vragen aandacht</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TimelineModel</name>
    <message>
        <source>When</source>
        <translation>Wanneer</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Wat</translation>
    </message>
    <message>
        <source>Status / answer</source>
        <translation>Status / antwoord</translation>
    </message>
</context>
<context>
    <name>TimelinePanel</name>
    <message>
        <source>Care flow timeline</source>
        <translation>Tijdlijn van het zorgpad</translation>
    </message>
    <message>
        <source>&lt;b&gt;&amp;Timeline&lt;/b&gt;</source>
        <translation>&lt;b&gt;&amp;Tijdlijn&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Complete…</source>
        <translation>Afronden…</translation>
    </message>
    <message>
        <source>Complete the selected activity</source>
        <translation>Gekozen activiteit afronden</translation>
    </message>
    <message>
        <source>Stop care flow…</source>
        <translation>Zorgpad stoppen…</translation>
    </message>
    <message>
        <source>Stop the care flow</source>
        <translation>Het zorgpad stoppen</translation>
    </message>
</context>
<context>
    <name>TimelineRows</name>
    <message>
        <source>Yes</source>
        <translation>Ja</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Nee</translation>
    </message>
    <message>
        <source>{value} (from {low} to {high})</source>
        <translation>{value} (van {low} tot {high})</translation>
    </message>
    <message>
        <source>done here, being sent</source>
        <translation>hier gedaan, wordt verzonden</translation>
    </message>
    <message>
        <source>patient</source>
        <translation>patiënt</translation>
    </message>
    <message>
        <source>care team</source>
        <translation>zorgteam</translation>
    </message>
    <message>
        <source>URGENT</source>
        <translation>DRINGEND</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Waarschuwing</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Opmerking</translation>
    </message>
    <message>
        <source>Score {name}</source>
        <translation>Score {name}</translation>
    </message>
    <message>
        <source>due {when}</source>
        <translation>uiterlijk {when}</translation>
    </message>
    <message>
        <source>OVERDUE</source>
        <translation>TE LAAT</translation>
    </message>
    <message>
        <source>scheduled: opens then</source>
        <translation>gepland: opent dan</translation>
    </message>
</context>
<context>
    <name>UserTableModel</name>
    <message>
        <source>User name</source>
        <translation>Gebruikersnaam</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Naam</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rol</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Aangemaakt</translation>
    </message>
</context>
<context>
    <name>UsersPage</name>
    <message>
        <source>Users</source>
        <translation>Gebruikers</translation>
    </message>
    <message>
        <source>&amp;New user…</source>
        <translation>&amp;Nieuwe gebruiker…</translation>
    </message>
    <message>
        <source>&amp;Disable / enable</source>
        <translation>&amp;Uitschakelen / inschakelen</translation>
    </message>
    <message>
        <source>&amp;Unlock</source>
        <translation>&amp;Ontgrendelen</translation>
    </message>
    <message>
        <source>&amp;Reset password…</source>
        <translation>&amp;Wachtwoord opnieuw instellen…</translation>
    </message>
    <message>
        <source>Change r&amp;ole</source>
        <translation>&amp;Rol wijzigen</translation>
    </message>
    <message>
        <source>Disable %1? They can no longer sign in.</source>
        <translation>%1 uitschakelen? Deze gebruiker kan dan niet meer inloggen.</translation>
    </message>
    <message>
        <source>Select a user first.</source>
        <translation>Selecteer eerst een gebruiker.</translation>
    </message>
    <message>
        <source>Give %1 the role %2?</source>
        <translation>%1 de rol %2 geven?</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>Bevestigen</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Opgeslagen.</translation>
    </message>
    <message>
        <source>Reset password</source>
        <translation>Wachtwoord opnieuw instellen</translation>
    </message>
    <message>
        <source>Temporary password for %1:</source>
        <translation>Tijdelijk wachtwoord voor %1:</translation>
    </message>
</context>
<context>
    <name>Words</name>
    <message>
        <source>Male</source>
        <translation>Man</translation>
    </message>
    <message>
        <source>Female</source>
        <translation>Vrouw</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Anders</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>Onbekend</translation>
    </message>
    <message>
        <source>Clinician</source>
        <translation>Zorgverlener</translation>
    </message>
    <message>
        <source>Admin</source>
        <translation>Beheerder</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Actief</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Uitgeschakeld</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>Vergrendeld</translation>
    </message>
    <message>
        <source>Sandbox</source>
        <translation>Sandbox</translation>
    </message>
    <message>
        <source>Production</source>
        <translation>Productie</translation>
    </message>
</context>
<context>
    <name>WorkListModel</name>
    <message>
        <source>Priority</source>
        <translation>Prioriteit</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>Patiënt</translation>
    </message>
    <message>
        <source>Work</source>
        <translation>Werk</translation>
    </message>
    <message>
        <source>Care flow</source>
        <translation>Zorgpad</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>Uiterlijk</translation>
    </message>
    <message>
        <source>URGENT</source>
        <translation>DRINGEND</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Waarschuwing</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Opmerking</translation>
    </message>
    <message>
        <source>OVERDUE</source>
        <translation>TE LAAT</translation>
    </message>
    <message>
        <source>alert</source>
        <translation>alarm</translation>
    </message>
    <message>
        <source>open</source>
        <translation>open</translation>
    </message>
</context>
<context>
    <name>WorkListPane</name>
    <message>
        <source>Mine</source>
        <translation>Van mij</translation>
    </message>
    <message>
        <source>Ward</source>
        <translation>Afdeling</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Alle</translation>
    </message>
    <message>
        <source>All care flows</source>
        <translation>Alle zorgpaden</translation>
    </message>
    <message>
        <source>&amp;Show:</source>
        <translation>&amp;Tonen:</translation>
    </message>
    <message>
        <source>Care f&amp;low:</source>
        <translation>&amp;Zorgpad:</translation>
    </message>
    <message>
        <source>Work list</source>
        <translation>Werklijst</translation>
    </message>
    <message>
        <source>Work list: %1 open · %2 overdue · %3 alerts</source>
        <translation>Werklijst: %1 open · %2 te laat · %3 alarmen</translation>
    </message>
</context>
<context>
    <name>WorkstationPage</name>
    <message>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <source>As the system (%1)</source>
        <translation>Zoals het systeem (%1)</translation>
    </message>
    <message>
        <source>Clinicians and admins</source>
        <translation>Zorgverleners en beheerders</translation>
    </message>
    <message>
        <source>Admins only</source>
        <translation>Alleen beheerders</translation>
    </message>
    <message>
        <source>&amp;Lock after idle:</source>
        <translation>&amp;Vergrendelen na inactiviteit:</translation>
    </message>
    <message>
        <source>Lan&amp;guage:</source>
        <translation>&amp;Taal:</translation>
    </message>
    <message>
        <source>Who may st&amp;op care flows:</source>
        <translation>Wie mag zorgpaden st&amp;oppen:</translation>
    </message>
    <message>
        <source>After this many minutes without keyboard or mouse, patient details are hidden and the password is needed.</source>
        <translation>Na zoveel minuten zonder toetsenbord of muis worden de patiëntgegevens verborgen en is het wachtwoord nodig.</translation>
    </message>
    <message>
        <source>The language, dates and numbers change when CareApp starts again.</source>
        <translation>Taal, datums en getallen veranderen wanneer CareApp opnieuw start.</translation>
    </message>
</context>
<context>
    <name>operations</name>
    <message>
        <source>Something unexpected stopped this ({kind}); nothing else was changed. The log has the details.</source>
        <translation>Iets onverwachts heeft dit gestopt ({kind}); verder is er niets gewijzigd. Het logbestand bevat de details.</translation>
    </message>
</context>
</TS>
