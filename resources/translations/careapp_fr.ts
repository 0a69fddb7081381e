<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>AdminDialog</name>
    <message>
        <source>Administration</source>
        <translation>Administration</translation>
    </message>
    <message>
        <source>&amp;Users</source>
        <translation>&amp;Utilisateurs</translation>
    </message>
    <message>
        <source>&amp;Audit log</source>
        <translation>&amp;Journal d&apos;audit</translation>
    </message>
    <message>
        <source>&amp;Care flows per environment</source>
        <translation>&amp;Parcours de soins par environnement</translation>
    </message>
</context>
<context>
    <name>AttentionDialog</name>
    <message>
        <source>Patient record</source>
        <translation>Dossier patient</translation>
    </message>
    <message>
        <source>Enrollment</source>
        <translation>Inscription</translation>
    </message>
    <message>
        <source>User account</source>
        <translation>Compte utilisateur</translation>
    </message>
    <message>
        <source>User deactivation</source>
        <translation>Désactivation d&apos;utilisateur</translation>
    </message>
    <message>
        <source>Changes that need attention</source>
        <translation>Modifications à vérifier</translation>
    </message>
    <message>
        <source>Refused changes</source>
        <translation>Modifications refusées</translation>
    </message>
    <message>
        <source>Send &amp;again</source>
        <translation>&amp;Renvoyer</translation>
    </message>
    <message>
        <source>&amp;Discard…</source>
        <translation>&amp;Abandonner…</translation>
    </message>
    <message numerus="yes">
        <source>tried %n×</source>
        <translation>
            <numerusform>%n essai</numerusform>
            <numerusform>%n essais</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing needs attention.</source>
        <translation>Rien à vérifier.</translation>
    </message>
    <message>
        <source>Queued to be sent again with the next sync.</source>
        <translation>Sera renvoyé à la prochaine synchronisation.</translation>
    </message>
    <message>
        <source>Discard this change?</source>
        <translation>Abandonner cette modification ?</translation>
    </message>
    <message>
        <source>The backend will never receive this change. This is recorded in the audit log.</source>
        <translation>Le serveur ne recevra jamais cette modification. Cette action est consignée dans le journal d&apos;audit.</translation>
    </message>
    <message>
        <source>Discarded.</source>
        <translation>Abandonnée.</translation>
    </message>
</context>
<context>
    <name>AuditPage</name>
    <message>
        <source>e.g. login, patient., user.</source>
        <translation>ex. login, patient., user.</translation>
    </message>
    <message>
        <source>e.g. user:ann</source>
        <translation>ex. user:ann</translation>
    </message>
    <message>
        <source>&amp;Action starts with:</source>
        <translation>&amp;Action commençant par :</translation>
    </message>
    <message>
        <source>Act&amp;or:</source>
        <translation>Aut&amp;eur :</translation>
    </message>
    <message>
        <source>&amp;From:</source>
        <translation>&amp;Du :</translation>
    </message>
    <message>
        <source>&amp;To:</source>
        <translation>A&amp;u :</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>Journal d&apos;audit</translation>
    </message>
</context>
<context>
    <name>AuditTableModel</name>
    <message>
        <source>When</source>
        <translation>Quand</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Qui</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Quoi</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Objet</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Détail</translation>
    </message>
</context>
<context>
    <name>BackendEditor</name>
    <message>
        <source>Edit backend</source>
        <translation>Modifier le serveur</translation>
    </message>
    <message>
        <source>Add backend</source>
        <translation>Ajouter un serveur</translation>
    </message>
    <message>
        <source>e.g. EU Sandbox</source>
        <translation>ex. EU Sandbox</translation>
    </message>
    <message>
        <source>empty: the built-in local demo</source>
        <translation>vide : la démo locale intégrée</translation>
    </message>
    <message>
        <source>Allow &amp;test patients from the hospital</source>
        <translation>Autoriser les patients de &amp;test de l&apos;hôpital</translation>
    </message>
    <message>
        <source>No real patients in Sandbox: hospital imports into this Sandbox are refused unless allowed here.</source>
        <translation>Pas de vrais patients en Sandbox : les imports depuis l&apos;hôpital dans cette Sandbox sont refusés sauf autorisation ici.</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Nom :</translation>
    </message>
    <message>
        <source>&amp;Backend URL:</source>
        <translation>&amp;URL du serveur :</translation>
    </message>
    <message>
        <source>&amp;Region:</source>
        <translation>&amp;Région :</translation>
    </message>
    <message>
        <source>&amp;Environment:</source>
        <translation>&amp;Environnement :</translation>
    </message>
</context>
<context>
    <name>BackendsModel</name>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Region</source>
        <translation>Région</translation>
    </message>
    <message>
        <source>Environment</source>
        <translation>Environnement</translation>
    </message>
    <message>
        <source>Test patients</source>
        <translation>Patients de test</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Actif</translation>
    </message>
    <message>
        <source>Local demo</source>
        <translation>Démo locale</translation>
    </message>
    <message>
        <source>allowed</source>
        <translation>autorisés</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>refusés</translation>
    </message>
    <message>
        <source>active</source>
        <translation>actif</translation>
    </message>
</context>
<context>
    <name>BackendsPage</name>
    <message>
        <source>Backends</source>
        <translation>Serveurs</translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation>&amp;Ajouter…</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Modifier…</translation>
    </message>
    <message>
        <source>Re&amp;move</source>
        <translation>Supp&amp;rimer</translation>
    </message>
    <message>
        <source>Make a&amp;ctive</source>
        <translation>Rendre a&amp;ctif</translation>
    </message>
    <message>
        <source>Each backend keeps its own local cache; patients never move between them. Changing the active backend signs you out.</source>
        <translation>Chaque serveur a son propre cache local ; les patients ne passent jamais de l&apos;un à l&apos;autre. Changer de serveur actif vous déconnecte.</translation>
    </message>
    <message>
        <source>The last backend cannot be removed.</source>
        <translation>Le dernier serveur ne peut pas être supprimé.</translation>
    </message>
    <message>
        <source>The active backend cannot be removed: make another one active first.</source>
        <translation>Le serveur actif ne peut pas être supprimé : rendez d&apos;abord un autre serveur actif.</translation>
    </message>
    <message>
        <source>Choose a backend first.</source>
        <translation>Choisissez d&apos;abord un serveur.</translation>
    </message>
</context>
<context>
    <name>BaselineForm</name>
    <message>
        <source>a number, e.g. 72.5</source>
        <translation>un nombre, ex. 72,5</translation>
    </message>
    <message>
        <source>values separated by commas</source>
        <translation>valeurs séparées par des virgules</translation>
    </message>
    <message>
        <source>{name} is required.</source>
        <translation>{name} est obligatoire.</translation>
    </message>
    <message>
        <source>{name} must be a number.</source>
        <translation>{name} doit être un nombre.</translation>
    </message>
    <message>
        <source>{name} must be a date.</source>
        <translation>{name} doit être une date.</translation>
    </message>
    <message>
        <source>a number from {low} to {high}</source>
        <translation>un nombre de {low} à {high}</translation>
    </message>
</context>
<context>
    <name>CareFlowLinkDialog</name>
    <message>
        <source>&amp;Print handout</source>
        <translation>&amp;Imprimer la fiche</translation>
    </message>
    <message>
        <source>&amp;Save as PDF</source>
        <translation>Enregistrer en &amp;PDF</translation>
    </message>
    <message>
        <source>Show to &amp;patient</source>
        <translation>Montrer au pa&amp;tient</translation>
    </message>
</context>
<context>
    <name>ChangePasswordDialog</name>
    <message>
        <source>Change my password</source>
        <translation>Changer mon mot de passe</translation>
    </message>
    <message>
        <source>Choose a new password for %1.</source>
        <translation>Choisissez un nouveau mot de passe pour %1.</translation>
    </message>
</context>
<context>
    <name>CompleteDialog</name>
    <message>
        <source>Complete: %1</source>
        <translation>Terminer : %1</translation>
    </message>
    <message>
        <source>Mark &amp;done</source>
        <translation>Marquer comme &amp;fait</translation>
    </message>
    <message>
        <source>&amp;Submit</source>
        <translation>&amp;Envoyer</translation>
    </message>
    <message>
        <source>Tick every item of the checklist first.</source>
        <translation>Cochez d&apos;abord chaque point de la liste.</translation>
    </message>
</context>
<context>
    <name>Deliveries</name>
    <message>
        <source>no reason given</source>
        <translation>aucune raison donnée</translation>
    </message>
    <message>
        <source>Refused by the hospital ({code}): {reason}</source>
        <translation>Refusé par l&apos;hôpital ({code}) : {reason}</translation>
    </message>
    <message>
        <source>SMS not delivered: {reason}</source>
        <translation>SMS non remis : {reason}</translation>
    </message>
    <message>
        <source>E-mail not delivered: {reason}</source>
        <translation>E-mail non remis : {reason}</translation>
    </message>
    <message>
        <source>{channel} not delivered: {reason}</source>
        <translation>{channel} non remis : {reason}</translation>
    </message>
    <message>
        <source>announcement of new work</source>
        <translation>annonce d&apos;un nouveau travail</translation>
    </message>
    <message>
        <source>reminder</source>
        <translation>rappel</translation>
    </message>
    <message>
        <source>sent by the care team</source>
        <translation>envoyé par l&apos;équipe soignante</translation>
    </message>
</context>
<context>
    <name>EnrollDialog</name>
    <message>
        <source>Enroll in a care flow</source>
        <translation>Inscrire à un parcours de soins</translation>
    </message>
    <message>
        <source>Care &amp;flow:</source>
        <translation>&amp;Parcours de soins :</translation>
    </message>
    <message>
        <source>&amp;Physician:</source>
        <translation>&amp;Médecin :</translation>
    </message>
    <message>
        <source>&amp;Enroll</source>
        <translation>&amp;Inscrire</translation>
    </message>
    <message>
        <source>Loading care flows…</source>
        <translation>Chargement des parcours de soins…</translation>
    </message>
    <message>
        <source>— the patient&apos;s physician —</source>
        <translation>— le médecin du patient —</translation>
    </message>
    <message>
        <source>No published care flows yet. They arrive with the next sync with the backend.</source>
        <translation>Aucun parcours de soins publié pour l&apos;instant. Ils arriveront à la prochaine synchronisation avec le serveur.</translation>
    </message>
    <message>
        <source>Already enrolled in %1 since %2 (%3): enrolling again starts a second one.</source>
        <translation>Déjà inscrit à %1 depuis le %2 (%3) : une nouvelle inscription en démarre un second.</translation>
    </message>
    <message>
        <source>Enroll in a second one anyway?</source>
        <translation>En démarrer un second quand même ?</translation>
    </message>
    <message>
        <source>Enroll again?</source>
        <translation>Inscrire à nouveau ?</translation>
    </message>
</context>
<context>
    <name>EnrollmentPosterDialog</name>
    <message>
        <source>Enrollment poster</source>
        <translation>Affiche d&apos;inscription</translation>
    </message>
    <message>
        <source>Poster &amp;language:</source>
        <translation>&amp;Langue de l&apos;affiche :</translation>
    </message>
    <message>
        <source>&amp;Print poster</source>
        <translation>&amp;Imprimer l&apos;affiche</translation>
    </message>
    <message>
        <source>&amp;Save as PDF</source>
        <translation>Enregistrer en &amp;PDF</translation>
    </message>
    <message>
        <source>Getting an enrollment link…</source>
        <translation>Obtention d&apos;un lien d&apos;inscription…</translation>
    </message>
    <message>
        <source>Anyone who scans this can enroll themselves</source>
        <translation>Toute personne qui scanne ce code peut s&apos;inscrire elle-même</translation>
    </message>
    <message>
        <source>No code</source>
        <translation>Pas de code</translation>
    </message>
</context>
<context>
    <name>EnvironmentBanner</name>
    <message>
        <source>LOCAL DEMO — not for real patients</source>
        <translation>DÉMO LOCALE — pas pour de vrais patients</translation>
    </message>
    <message>
        <source>{region} SANDBOX — test patients only</source>
        <translation>{region} SANDBOX — patients de test uniquement</translation>
    </message>
    <message>
        <source>{region} PRODUCTION — real patients</source>
        <translation>{region} PRODUCTION — vrais patients</translation>
    </message>
</context>
<context>
    <name>FormRenderer</name>
    <message>
        <source>Yes</source>
        <translation>Oui</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Non</translation>
    </message>
</context>
<context>
    <name>Handout</name>
    <message>
        <source>The handout was sent to the printer.</source>
        <translation>La fiche a été envoyée à l&apos;imprimante.</translation>
    </message>
    <message>
        <source>Saved {name}.</source>
        <translation>{name} enregistré.</translation>
    </message>
    <message>
        <source>Print handout</source>
        <translation>Imprimer la fiche</translation>
    </message>
    <message>
        <source>Save handout as PDF</source>
        <translation>Enregistrer la fiche en PDF</translation>
    </message>
</context>
<context>
    <name>HospitalPage</name>
    <message>
        <source>HL7 v2 query (QRY^A19 over MLLP)</source>
        <translation>Requête HL7 v2 (QRY^A19 sur MLLP)</translation>
    </message>
    <message>
        <source>PDQm web service (FHIR)</source>
        <translation>Service web PDQm (FHIR)</translation>
    </message>
    <message>
        <source>empty: UTF-8, else ISO 8859-1; e.g. CP1250</source>
        <translation>vide : UTF-8, sinon ISO 8859-1 ; ex. CP1250</translation>
    </message>
    <message>
        <source>MLLP h&amp;ost:</source>
        <translation>&amp;Hôte MLLP :</translation>
    </message>
    <message>
        <source>MLLP &amp;port:</source>
        <translation>&amp;Port MLLP :</translation>
    </message>
    <message>
        <source>Sending &amp;application (MSH-3):</source>
        <translation>&amp;Application émettrice (MSH-3) :</translation>
    </message>
    <message>
        <source>Sending &amp;facility (MSH-4):</source>
        <translation>&amp;Établissement émetteur (MSH-4) :</translation>
    </message>
    <message>
        <source>Receiving a&amp;pplication (MSH-5):</source>
        <translation>Application &amp;réceptrice (MSH-5) :</translation>
    </message>
    <message>
        <source>Receiving fa&amp;cility (MSH-6):</source>
        <translation>Éta&amp;blissement récepteur (MSH-6) :</translation>
    </message>
    <message>
        <source>HL7 &amp;version:</source>
        <translation>&amp;Version HL7 :</translation>
    </message>
    <message>
        <source>&amp;Encoding (MSH-18):</source>
        <translation>&amp;Codage (MSH-18) :</translation>
    </message>
    <message>
        <source>Character set of messages &amp;without MSH-18:</source>
        <translation>Jeu de caractères des messages &amp;sans MSH-18 :</translation>
    </message>
    <message>
        <source>&amp;Query authority:</source>
        <translation>Autorité de la re&amp;quête :</translation>
    </message>
    <message>
        <source>HL7 v2 over MLLP</source>
        <translation>HL7 v2 sur MLLP</translation>
    </message>
    <message>
        <source>Authority</source>
        <translation>Autorité</translation>
    </message>
    <message>
        <source>Type code</source>
        <translation>Code de type</translation>
    </message>
    <message>
        <source>System</source>
        <translation>Système</translation>
    </message>
    <message>
        <source>Identifier rule</source>
        <translation>Règle d&apos;identification</translation>
    </message>
    <message>
        <source>A PID-3 entry with this assigning authority (* for any) and type code is kept under this system.</source>
        <translation>Un identifiant PID-3 de cette autorité d&apos;attribution (* pour toutes) et de ce code de type est enregistré sous ce système.</translation>
    </message>
    <message>
        <source>Patient &amp;id system:</source>
        <translation>Système de l&apos;&amp;identifiant patient :</translation>
    </message>
    <message>
        <source>Visit &amp;number system:</source>
        <translation>Système du &amp;numéro de séjour :</translation>
    </message>
    <message>
        <source>Identifier &amp;rules:</source>
        <translation>&amp;Règles d&apos;identification :</translation>
    </message>
    <message>
        <source>Identifiers</source>
        <translation>Identifiants</translation>
    </message>
    <message>
        <source>empty: the profile&apos;s siu-inbox folder</source>
        <translation>vide : le dossier siu-inbox du profil</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choisir…</translation>
    </message>
    <message>
        <source>Choose the SIU folder</source>
        <translation>Choisir le dossier SIU</translation>
    </message>
    <message>
        <source>Service or type code</source>
        <translation>Code de service ou de type</translation>
    </message>
    <message>
        <source>Care flow definition id</source>
        <translation>Id de la définition du parcours de soins</translation>
    </message>
    <message>
        <source>SIU mapping row</source>
        <translation>Ligne de correspondance SIU</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>PD&amp;Qm base URL:</source>
        <translation>URL de base PD&amp;Qm :</translation>
    </message>
    <message>
        <source>&amp;SIU folder:</source>
        <translation>Dossier &amp;SIU :</translation>
    </message>
    <message>
        <source>SIU service → care &amp;flow:</source>
        <translation>Service SIU → &amp;parcours de soins :</translation>
    </message>
    <message>
        <source>&amp;Default source:</source>
        <translation>Source par &amp;défaut :</translation>
    </message>
    <message>
        <source>&amp;Timeout:</source>
        <translation>Délai d&apos;a&amp;ttente :</translation>
    </message>
    <message>
        <source>A&amp;ttempts:</source>
        <translation>&amp;Tentatives :</translation>
    </message>
    <message>
        <source>PDQm, SIU folder and connection</source>
        <translation>PDQm, dossier SIU et connexion</translation>
    </message>
    <message>
        <source>Local demo hospital, this session: HL7 MLLP {mllp}, PDQm {pdqm}. Used while no hospital is configured, by this app and by careapp import and careapp siu-pull.</source>
        <translation>Hôpital de démonstration local, cette session : HL7 MLLP {mllp}, PDQm {pdqm}. Utilisé tant qu&apos;aucun hôpital n&apos;est configuré, par cette application et par careapp import et careapp siu-pull.</translation>
    </message>
    <message>
        <source>Local demo hospital endpoints</source>
        <translation>Adresses de l&apos;hôpital de démonstration local</translation>
    </message>
    <message>
        <source>SIU folder</source>
        <translation>Dossier SIU</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <source>HL7 A19 query</source>
        <translation>Requête HL7 A19</translation>
    </message>
    <message>
        <source>PDQm web service</source>
        <translation>Service web PDQm</translation>
    </message>
    <message>
        <source>Import patient from the hospital</source>
        <translation>Importer un patient depuis l&apos;hôpital</translation>
    </message>
    <message>
        <source>type or scan</source>
        <translation>saisir ou scanner</translation>
    </message>
    <message>
        <source>Hospital patient id</source>
        <translation>Identifiant patient de l&apos;hôpital</translation>
    </message>
    <message>
        <source>Visit number</source>
        <translation>Numéro de séjour</translation>
    </message>
    <message>
        <source>&amp;Look up</source>
        <translation>&amp;Rechercher</translation>
    </message>
    <message>
        <source>&amp;Id:</source>
        <translation>&amp;Identifiant :</translation>
    </message>
    <message>
        <source>&amp;Kind:</source>
        <translation>&amp;Type :</translation>
    </message>
    <message>
        <source>&amp;Source:</source>
        <translation>S&amp;ource :</translation>
    </message>
    <message>
        <source>Matching patients</source>
        <translation>Patients correspondants</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Aperçu</translation>
    </message>
    <message>
        <source>&amp;Save patient</source>
        <translation>&amp;Enregistrer le patient</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>&amp;Fermer</translation>
    </message>
    <message>
        <source>&amp;Physician:</source>
        <translation>&amp;Médecin :</translation>
    </message>
    <message>
        <source>Enter a hospital patient id or visit number.</source>
        <translation>Saisissez un identifiant patient ou un numéro de séjour de l&apos;hôpital.</translation>
    </message>
    <message>
        <source>Asking the hospital…</source>
        <translation>Interrogation de l&apos;hôpital…</translation>
    </message>
    <message numerus="yes">
        <source>%n patients match: choose one.</source>
        <translation>
            <numerusform>%n patient correspond : choisissez-le.</numerusform>
            <numerusform>%n patients correspondent : choisissez-en un.</numerusform>
        </translation>
    </message>
    <message>
        <source>Check the details and the physician, then save (Enter).</source>
        <translation>Vérifiez les données et le médecin, puis enregistrez (Entrée).</translation>
    </message>
    <message>
        <source>The hospital knows no patient with this id.</source>
        <translation>Aucun patient avec cet identifiant à l&apos;hôpital.</translation>
    </message>
    <message>
        <source>Born</source>
        <translation>Né(e) le</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Sexe</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Téléphone</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>named by the hospital record</source>
        <translation>indiqué dans le dossier de l&apos;hôpital</translation>
    </message>
    <message>
        <source>Choose the physician first.</source>
        <translation>Choisissez d&apos;abord le médecin.</translation>
    </message>
    <message>
        <source>Saved: a new patient in CareApp.</source>
        <translation>Enregistré : un nouveau patient dans CareApp.</translation>
    </message>
    <message>
        <source>This patient was known already: the details were updated.</source>
        <translation>Ce patient était déjà connu : ses données ont été mises à jour.</translation>
    </message>
</context>
<context>
    <name>LinkActions</name>
    <message>
        <source>Message queued; it goes with the next sync.</source>
        <translation>Message en file d&apos;attente ; il part à la prochaine synchronisation.</translation>
    </message>
    <message>
        <source>Link copied.</source>
        <translation>Lien copié.</translation>
    </message>
</context>
<context>
    <name>LinkDialogFrame</name>
    <message>
        <source>Status</source>
        <translation>Statut</translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <source>Locked</source>
        <translation>Verrouillé</translation>
    </message>
    <message>
        <source>&amp;Unlock</source>
        <translation>&amp;Déverrouiller</translation>
    </message>
    <message>
        <source>S&amp;witch user</source>
        <translation>&amp;Changer d&apos;utilisateur</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Mot de passe :</translation>
    </message>
    <message>
        <source>&lt;h2&gt;Workstation locked&lt;/h2&gt;&lt;p&gt;Signed in as %1. Enter your password to continue.&lt;/p&gt;</source>
        <translation>&lt;h2&gt;Poste verrouillé&lt;/h2&gt;&lt;p&gt;Connecté en tant que %1. Saisissez votre mot de passe pour continuer.&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>CareApp — sign in</source>
        <translation>CareApp — connexion</translation>
    </message>
    <message>
        <source>&lt;h2&gt;CareApp&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;CareApp&lt;/h2&gt;</translation>
    </message>
    <message>
        <source>An admin reset your password. Choose your own before you continue.</source>
        <translation>Un administrateur a réinitialisé votre mot de passe. Choisissez le vôtre avant de continuer.</translation>
    </message>
    <message>
        <source>Opening the local cache…</source>
        <translation>Ouverture du cache local…</translation>
    </message>
    <message>
        <source>&amp;User name:</source>
        <translation>Nom d&apos;&amp;utilisateur :</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Mot de passe :</translation>
    </message>
    <message>
        <source>&amp;Sign in</source>
        <translation>Se &amp;connecter</translation>
    </message>
    <message numerus="yes">
        <source>This workstation has no accounts yet. Create the first admin account. The password needs at least %n characters.</source>
        <translation>
            <numerusform>Ce poste n&apos;a encore aucun compte. Créez le premier compte administrateur. Le mot de passe doit compter au moins %n caractère.</numerusform>
            <numerusform>Ce poste n&apos;a encore aucun compte. Créez le premier compte administrateur. Le mot de passe doit compter au moins %n caractères.</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Full name:</source>
        <translation>&amp;Nom complet :</translation>
    </message>
    <message>
        <source>&amp;Repeat password:</source>
        <translation>&amp;Répéter le mot de passe :</translation>
    </message>
    <message>
        <source>&amp;Create admin account</source>
        <translation>Créer le compte &amp;administrateur</translation>
    </message>
    <message>
        <source>Enter your user name and password.</source>
        <translation>Saisissez votre nom d&apos;utilisateur et votre mot de passe.</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Connexion…</translation>
    </message>
    <message numerus="yes">
        <source>Too many failed attempts. Try again in %n s.</source>
        <translation>
            <numerusform>Trop de tentatives échouées. Réessayez dans %n s.</numerusform>
            <numerusform>Trop de tentatives échouées. Réessayez dans %n s.</numerusform>
        </translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>Les deux mots de passe diffèrent.</translation>
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
        <translation>Patients</translation>
    </message>
    <message>
        <source>Work list</source>
        <translation>Liste de travail</translation>
    </message>
    <message>
        <source>Signed in: %1 (%2)</source>
        <translation>Connecté : %1 (%2)</translation>
    </message>
    <message>
        <source>Work list counts</source>
        <translation>Compteurs de la liste de travail</translation>
    </message>
    <message>
        <source>&amp;Ward</source>
        <translation>&amp;Service</translation>
    </message>
    <message>
        <source>&amp;Find patient</source>
        <translation>&amp;Rechercher un patient</translation>
    </message>
    <message>
        <source>&amp;Import patient…</source>
        <translation>&amp;Importer un patient…</translation>
    </message>
    <message>
        <source>Pull &amp;SIU now…</source>
        <translation>Récupérer les &amp;SIU maintenant…</translation>
    </message>
    <message>
        <source>&amp;Enroll in a care flow…</source>
        <translation>Inscrire à un &amp;parcours de soins…</translation>
    </message>
    <message>
        <source>&amp;Work list</source>
        <translation>Liste de tra&amp;vail</translation>
    </message>
    <message>
        <source>&amp;Complete the selected activity…</source>
        <translation>&amp;Terminer l&apos;activité choisie…</translation>
    </message>
    <message>
        <source>S&amp;top the selected care flow…</source>
        <translation>&amp;Arrêter le parcours choisi…</translation>
    </message>
    <message>
        <source>S&amp;ync now</source>
        <translation>S&amp;ynchroniser maintenant</translation>
    </message>
    <message>
        <source>&amp;Waiting-room poster…</source>
        <translation>&amp;Affiche de salle d&apos;attente…</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>Actualis&amp;er</translation>
    </message>
    <message>
        <source>&amp;Lock workstation</source>
        <translation>&amp;Verrouiller le poste</translation>
    </message>
    <message>
        <source>&amp;Switch user</source>
        <translation>&amp;Changer d&apos;utilisateur</translation>
    </message>
    <message>
        <source>Change my &amp;password…</source>
        <translation>Changer mon &amp;mot de passe…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>&amp;Outils</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Paramètres…</translation>
    </message>
    <message>
        <source>&amp;Administration…</source>
        <translation>A&amp;dministration…</translation>
    </message>
    <message>
        <source>Select a patient first.</source>
        <translation>Sélectionnez d&apos;abord un patient.</translation>
    </message>
    <message>
        <source>Enrolled. The session QR needs a backend.</source>
        <translation>Inscrit. Le QR de session nécessite un serveur.</translation>
    </message>
    <message>
        <source>Enrolled. The session QR opens once the backend has started the care flow.</source>
        <translation>Inscrit. Le QR de session s&apos;affiche dès que le serveur a démarré le parcours de soins.</translation>
    </message>
    <message>
        <source>No published care flows yet: sync first.</source>
        <translation>Aucun parcours de soins publié : synchronisez d&apos;abord.</translation>
    </message>
    <message>
        <source>None of the published care flows can be started by patients themselves.</source>
        <translation>Aucun des parcours de soins publiés ne peut être démarré par les patients eux-mêmes.</translation>
    </message>
    <message>
        <source>Waiting-room poster</source>
        <translation>Affiche de salle d&apos;attente</translation>
    </message>
    <message>
        <source>Care flow:</source>
        <translation>Parcours de soins :</translation>
    </message>
    <message>
        <source>Your password was changed.</source>
        <translation>Votre mot de passe a été changé.</translation>
    </message>
    <message>
        <source>The backend changed. Sign in to the new environment.</source>
        <translation>Le serveur a changé. Connectez-vous au nouvel environnement.</translation>
    </message>
</context>
<context>
    <name>MessageLabel</name>
    <message>
        <source>Message</source>
        <translation>Message</translation>
    </message>
</context>
<context>
    <name>NewPasswordForm</name>
    <message>
        <source>&amp;Current password:</source>
        <translation>Mot de passe &amp;actuel :</translation>
    </message>
    <message>
        <source>&amp;New password:</source>
        <translation>&amp;Nouveau mot de passe :</translation>
    </message>
    <message>
        <source>&amp;Repeat new password:</source>
        <translation>&amp;Répéter le nouveau mot de passe :</translation>
    </message>
    <message numerus="yes">
        <source>At least %n characters, not your user name.</source>
        <translation>
            <numerusform>Au moins %n caractère, différent de votre nom d&apos;utilisateur.</numerusform>
            <numerusform>Au moins %n caractères, différent de votre nom d&apos;utilisateur.</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Change password</source>
        <translation>&amp;Changer le mot de passe</translation>
    </message>
    <message>
        <source>The two new passwords differ.</source>
        <translation>Les deux nouveaux mots de passe diffèrent.</translation>
    </message>
</context>
<context>
    <name>NewUserDialog</name>
    <message>
        <source>New user</source>
        <translation>Nouvel utilisateur</translation>
    </message>
    <message>
        <source>&amp;User name:</source>
        <translation>Nom d&apos;&amp;utilisateur :</translation>
    </message>
    <message>
        <source>&amp;Full name:</source>
        <translation>&amp;Nom complet :</translation>
    </message>
    <message>
        <source>&amp;Role:</source>
        <translation>&amp;Rôle :</translation>
    </message>
    <message>
        <source>&amp;Temporary password:</source>
        <translation>Mot de passe &amp;temporaire :</translation>
    </message>
</context>
<context>
    <name>PatientDetailPanel</name>
    <message>
        <source>Session &amp;QR</source>
        <translation>&amp;QR de session</translation>
    </message>
    <message>
        <source>Send by SMS / e-&amp;mail…</source>
        <translation>Envoyer par SMS / e-&amp;mail…</translation>
    </message>
    <message>
        <source>S&amp;tatic link QR</source>
        <translation>QR du lien perma&amp;nent</translation>
    </message>
    <message>
        <source>&amp;Copy link</source>
        <translation>&amp;Copier le lien</translation>
    </message>
    <message>
        <source>&amp;Print handout…</source>
        <translation>&amp;Imprimer la fiche…</translation>
    </message>
    <message>
        <source>Save handout as P&amp;DF…</source>
        <translation>Enregistrer la fiche en P&amp;DF…</translation>
    </message>
    <message>
        <source>Show to pa&amp;tient</source>
        <translation>Montrer au pa&amp;tient</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>Patient</translation>
    </message>
    <message>
        <source>Care flows</source>
        <translation>Parcours de soins</translation>
    </message>
    <message>
        <source>&lt;b&gt;Care flows&lt;/b&gt;</source>
        <translation>&lt;b&gt;Parcours de soins&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&amp;Enroll in a care flow…</source>
        <translation>Inscrire à un &amp;parcours de soins…</translation>
    </message>
    <message>
        <source>Enroll in a care flow</source>
        <translation>Inscrire à un parcours de soins</translation>
    </message>
    <message>
        <source>Activities</source>
        <translation>Activités</translation>
    </message>
    <message>
        <source>&lt;b&gt;Activities&lt;/b&gt;</source>
        <translation>&lt;b&gt;Activités&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Results sent to the hospital</source>
        <translation>Résultats envoyés à l&apos;hôpital</translation>
    </message>
    <message>
        <source>Links and QR codes are ready once this care flow has started on the backend.</source>
        <translation>Les liens et codes QR sont prêts dès que ce parcours de soins a démarré sur le serveur.</translation>
    </message>
    <message>
        <source>Activities appear once the care flow has started.</source>
        <translation>Les activités apparaissent dès que le parcours de soins a démarré.</translation>
    </message>
    <message>
        <source>patient</source>
        <translation>patient</translation>
    </message>
    <message>
        <source>No activities yet.</source>
        <translation>Pas encore d&apos;activités.</translation>
    </message>
    <message numerus="yes">
        <source>Results to the hospital: %n delivered</source>
        <translation>
            <numerusform>Résultats vers l&apos;hôpital : %n remis</numerusform>
            <numerusform>Résultats vers l&apos;hôpital : %n remis</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n waiting to be accepted</source>
        <translation>
            <numerusform>, %n en attente d&apos;acceptation</numerusform>
            <numerusform>, %n en attente d&apos;acceptation</numerusform>
        </translation>
    </message>
    <message>
        <source>&lt;p style=&apos;color:#6b7280&apos;&gt;Select a patient, or import one from the hospital.&lt;/p&gt;</source>
        <translation>&lt;p style=&apos;color:#6b7280&apos;&gt;Sélectionnez un patient ou importez-en un depuis l&apos;hôpital.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Téléphone</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>queued: starts when the backend is reachable</source>
        <translation>en attente : démarre dès que le serveur est joignable</translation>
    </message>
    <message>
        <source>since %1</source>
        <translation>depuis le %1</translation>
    </message>
    <message>
        <source>%1 of %2 activities done</source>
        <translation>%1 activités sur %2 terminées</translation>
    </message>
    <message>
        <source>Not enrolled in any care flow yet.</source>
        <translation>Inscrit à aucun parcours de soins pour le moment.</translation>
    </message>
</context>
<context>
    <name>PatientListPanel</name>
    <message>
        <source>Search by name or id — or scan a wristband</source>
        <translation>Rechercher par nom ou identifiant — ou scanner un bracelet</translation>
    </message>
    <message>
        <source>Search patients</source>
        <translation>Rechercher des patients</translation>
    </message>
    <message>
        <source>Patients</source>
        <translation>Patients</translation>
    </message>
</context>
<context>
    <name>PatientQrView</name>
    <message>
        <source>Scan with your phone</source>
        <translation>Scannez avec votre téléphone</translation>
    </message>
    <message>
        <source>QR code for the patient</source>
        <translation>Code QR pour le patient</translation>
    </message>
</context>
<context>
    <name>PatientTableModel</name>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>Date de naissance</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Sexe</translation>
    </message>
    <message>
        <source>Hospital id</source>
        <translation>Identifiant hôpital</translation>
    </message>
</context>
<context>
    <name>PromotionsPage</name>
    <message>
        <source>Care flows per environment</source>
        <translation>Parcours de soins par environnement</translation>
    </message>
    <message>
        <source>&amp;Reload</source>
        <translation>&amp;Recharger</translation>
    </message>
    <message>
        <source>Asking each backend…</source>
        <translation>Interrogation de chaque serveur…</translation>
    </message>
    <message>
        <source>Care flow</source>
        <translation>Parcours de soins</translation>
    </message>
    <message>
        <source>Warnings</source>
        <translation>Avertissements</translation>
    </message>
    <message>
        <source>%1 care flows; %2 changed since their last promotion.</source>
        <translation>%1 parcours de soins ; %2 modifiés depuis leur dernière promotion.</translation>
    </message>
    <message>
        <source>No care flows.</source>
        <translation>Aucun parcours de soins.</translation>
    </message>
</context>
<context>
    <name>QrCodeView</name>
    <message>
        <source>QR code</source>
        <translation>Code QR</translation>
    </message>
    <message>
        <source>QR code of the patient&apos;s link</source>
        <translation>Code QR du lien du patient</translation>
    </message>
</context>
<context>
    <name>RowsEditor</name>
    <message>
        <source>Add</source>
        <translation>Ajouter</translation>
    </message>
    <message>
        <source>Add %1</source>
        <translation>Ajouter : %1</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Supprimer</translation>
    </message>
    <message>
        <source>Remove %1</source>
        <translation>Supprimer : %1</translation>
    </message>
</context>
<context>
    <name>SendLinkDialog</name>
    <message>
        <source>Send by SMS / e-mail</source>
        <translation>Envoyer par SMS / e-mail</translation>
    </message>
    <message>
        <source>&amp;E-mail</source>
        <translation>&amp;E-mail</translation>
    </message>
    <message>
        <source>&amp;SMS</source>
        <translation>&amp;SMS</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>&amp;To:</source>
        <translation>&amp;Destinataire :</translation>
    </message>
    <message>
        <source>The care flow&apos;s link (never expires)</source>
        <translation>Le lien du parcours de soins (n&apos;expire jamais)</translation>
    </message>
    <message>
        <source>A session link (valid 60 minutes)</source>
        <translation>Un lien de session (valable 60 minutes)</translation>
    </message>
    <message>
        <source>Link</source>
        <translation>Lien</translation>
    </message>
    <message>
        <source>&amp;Link:</source>
        <translation>&amp;Lien :</translation>
    </message>
    <message>
        <source>Asking the backend whether the patient opted out…</source>
        <translation>Demande au serveur si le patient s&apos;est désinscrit…</translation>
    </message>
    <message>
        <source>Opt-out and delivery</source>
        <translation>Désinscription et remise</translation>
    </message>
    <message>
        <source>Se&amp;nd</source>
        <translation>E&amp;nvoyer</translation>
    </message>
    <message>
        <source>Channel:</source>
        <translation>Canal :</translation>
    </message>
    <message>
        <source>Offline: the message is sent at the next sync.</source>
        <translation>Hors ligne : le message part à la prochaine synchronisation.</translation>
    </message>
    <message>
        <source>e-mail</source>
        <translation>e-mail</translation>
    </message>
    <message>
        <source>SMS</source>
        <translation>SMS</translation>
    </message>
    <message>
        <source>The patient opted out of %1.</source>
        <translation>Le patient s&apos;est désinscrit des %1.</translation>
    </message>
    <message numerus="yes">
        <source>%n earlier message(s) could not be delivered.</source>
        <translation>
            <numerusform>%n message précédent n&apos;a pas pu être remis.</numerusform>
            <numerusform>%n messages précédents n&apos;ont pas pu être remis.</numerusform>
        </translation>
    </message>
    <message>
        <source>The patient can be reached on both channels.</source>
        <translation>Le patient est joignable par les deux canaux.</translation>
    </message>
    <message>
        <source>Type the address to send to.</source>
        <translation>Saisissez l&apos;adresse de destination.</translation>
    </message>
    <message>
        <source>Send to %1? The hospital gave %2.</source>
        <translation>Envoyer à %1 ? L&apos;hôpital a donné %2.</translation>
    </message>
    <message>
        <source>no address</source>
        <translation>aucune adresse</translation>
    </message>
    <message>
        <source>Another address</source>
        <translation>Une autre adresse</translation>
    </message>
    <message>
        <source>Could not queue the message: %1</source>
        <translation>Impossible de mettre le message en file d&apos;attente : %1</translation>
    </message>
</context>
<context>
    <name>SessionQrDialog</name>
    <message>
        <source>Session QR code</source>
        <translation>Code QR de la session</translation>
    </message>
    <message>
        <source>&amp;New code</source>
        <translation>&amp;Nouveau code</translation>
    </message>
    <message>
        <source>&amp;Copy link</source>
        <translation>&amp;Copier le lien</translation>
    </message>
    <message>
        <source>C&amp;lose</source>
        <translation>&amp;Fermer</translation>
    </message>
    <message>
        <source>Creating a new code…</source>
        <translation>Création d&apos;un nouveau code…</translation>
    </message>
    <message>
        <source>Nothing to do now</source>
        <translation>Rien à faire pour l&apos;instant</translation>
    </message>
    <message>
        <source>The patient</source>
        <translation>Le patient</translation>
    </message>
    <message>
        <source>%1 has no activities waiting in this care flow and none is scheduled.</source>
        <translation>%1 n&apos;a aucune activité en attente dans ce parcours de soins et aucune n&apos;est prévue.</translation>
    </message>
    <message>
        <source>%1 has no activities waiting in this care flow. The next one opens on %2: make a new code then.</source>
        <translation>%1 n&apos;a aucune activité en attente dans ce parcours de soins. La prochaine s&apos;ouvre le %2 : créez alors un nouveau code.</translation>
    </message>
    <message>
        <source>&amp;Check again</source>
        <translation>&amp;Vérifier à nouveau</translation>
    </message>
    <message>
        <source>No code</source>
        <translation>Pas de code</translation>
    </message>
    <message>
        <source>&amp;Try again</source>
        <translation>&amp;Réessayer</translation>
    </message>
    <message>
        <source>Active · valid for {time}</source>
        <translation>Actif · valable encore {time}</translation>
    </message>
    <message>
        <source>All done. Thank you!</source>
        <translation>Tout est fait. Merci !</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Terminé</translation>
    </message>
    <message>
        <source>This code has expired.</source>
        <translation>Ce code a expiré.</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Expiré</translation>
    </message>
    <message>
        <source>Link copied.</source>
        <translation>Lien copié.</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Workstation settings</source>
        <translation>Paramètres du poste de travail</translation>
    </message>
    <message>
        <source>&amp;Backends</source>
        <translation>&amp;Serveurs</translation>
    </message>
    <message>
        <source>&amp;Hospital</source>
        <translation>&amp;Hôpital</translation>
    </message>
    <message>
        <source>&amp;Workstation</source>
        <translation>&amp;Poste de travail</translation>
    </message>
</context>
<context>
    <name>SiuPullDialog</name>
    <message>
        <source>Pull SIU messages</source>
        <translation>Récupérer les messages SIU</translation>
    </message>
    <message>
        <source>Reading the drop folder…</source>
        <translation>Lecture du dossier de dépôt…</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Statut</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Progression</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>&amp;Annuler</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>&amp;Fermer</translation>
    </message>
    <message>
        <source>File %1 of %2…</source>
        <translation>Fichier %1 sur %2…</translation>
    </message>
    <message>
        <source>Stopping after the current file…</source>
        <translation>Arrêt après le fichier en cours…</translation>
    </message>
    <message>
        <source>%1 files read, %2 moved to error/.</source>
        <translation>%1 fichiers lus, %2 déplacés dans error/.</translation>
    </message>
    <message>
        <source>%1 new patients, %2 updated, %3 care flows queued.</source>
        <translation>%1 nouveaux patients, %2 mis à jour, %3 parcours de soins en attente.</translation>
    </message>
    <message>
        <source>%1 messages were seen before and skipped.</source>
        <translation>%1 messages déjà reçus ont été ignorés.</translation>
    </message>
    <message>
        <source>%1 files are still being written; next pull.</source>
        <translation>%1 fichiers sont encore en cours d&apos;écriture ; à la prochaine récupération.</translation>
    </message>
    <message>
        <source>Cancelled: the rest waits for the next pull.</source>
        <translation>Annulé : le reste attend la prochaine récupération.</translation>
    </message>
</context>
<context>
    <name>StaticLinkDialog</name>
    <message>
        <source>Static link QR code</source>
        <translation>Code QR du lien permanent</translation>
    </message>
    <message>
        <source>&amp;Copy link</source>
        <translation>&amp;Copier le lien</translation>
    </message>
    <message>
        <source>Getting the link…</source>
        <translation>Obtention du lien…</translation>
    </message>
    <message>
        <source>Valid until every activity is done</source>
        <translation>Valable jusqu&apos;à ce que toutes les activités soient faites</translation>
    </message>
    <message>
        <source>No code</source>
        <translation>Pas de code</translation>
    </message>
    <message>
        <source>Link copied.</source>
        <translation>Lien copié.</translation>
    </message>
</context>
<context>
    <name>StopDialog</name>
    <message>
        <source>Stop care flow?</source>
        <translation>Arrêter le parcours ?</translation>
    </message>
    <message>
        <source>Stop %1 for %2? Its open activities are canceled and the patient&apos;s link shows nothing more.</source>
        <translation>Arrêter %1 pour %2 ? Ses activités ouvertes sont annulées et le lien du patient n&apos;affiche plus rien.</translation>
    </message>
    <message>
        <source>&amp;Reason:</source>
        <translation>&amp;Motif :</translation>
    </message>
    <message>
        <source>&amp;Stop care flow</source>
        <translation>&amp;Arrêter le parcours</translation>
    </message>
    <message>
        <source>Give a reason for stopping the care flow.</source>
        <translation>Indiquez le motif de l&apos;arrêt du parcours.</translation>
    </message>
</context>
<context>
    <name>SyncStatusBar</name>
    <message>
        <source>Connecting to the backend…</source>
        <translation>Connexion au serveur…</translation>
    </message>
    <message>
        <source>Not paired with the backend: changes are kept here</source>
        <translation>Non associé au serveur : les modifications sont conservées ici</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Connexion…</translation>
    </message>
    <message>
        <source>● Online</source>
        <translation>● En ligne</translation>
    </message>
    <message>
        <source>○ Offline: changes are kept here</source>
        <translation>○ Hors ligne : les modifications sont conservées ici</translation>
    </message>
    <message numerus="yes">
        <source>%n to send</source>
        <translation>
            <numerusform>%n à envoyer</numerusform>
            <numerusform>%n à envoyer</numerusform>
        </translation>
    </message>
    <message>
        <source>synced %1</source>
        <translation>synchronisé à %1</translation>
    </message>
    <message>
        <source>credential stored in a file (no OS keyring)</source>
        <translation>identifiant conservé dans un fichier (pas de trousseau système)</translation>
    </message>
    <message>
        <source>Sync status</source>
        <translation>État de la synchronisation</translation>
    </message>
    <message>
        <source>Changes that need attention</source>
        <translation>Modifications à vérifier</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Synchroniser maintenant</translation>
    </message>
    <message numerus="yes">
        <source>%n need attention</source>
        <translation>
            <numerusform>%n à vérifier</numerusform>
            <numerusform>%n à vérifier</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TimelineModel</name>
    <message>
        <source>When</source>
        <translation>Quand</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Quoi</translation>
    </message>
    <message>
        <source>Status / answer</source>
        <translation>Statut / réponse</translation>
    </message>
</context>
<context>
    <name>TimelinePanel</name>
    <message>
        <source>Care flow timeline</source>
        <translation>Chronologie du parcours</translation>
    </message>
    <message>
        <source>&lt;b&gt;&amp;Timeline&lt;/b&gt;</source>
        <translation>&lt;b&gt;&amp;Chronologie&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Complete…</source>
        <translation>Terminer…</translation>
    </message>
    <message>
        <source>Complete the selected activity</source>
        <translation>Terminer l&apos;activité choisie</translation>
    </message>
    <message>
        <source>Stop care flow…</source>
        <translation>Arrêter le parcours…</translation>
    </message>
    <message>
        <source>Stop the care flow</source>
        <translation>Arrêter le parcours</translation>
    </message>
</context>
<context>
    <name>TimelineRows</name>
    <message>
        <source>Yes</source>
        <translation>Oui</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Non</translation>
    </message>
    <message>
        <source>{value} (from {low} to {high})</source>
        <translation>{value} (de {low} à {high})</translation>
    </message>
    <message>
        <source>done here, being sent</source>
        <translation>fait ici, en cours d&apos;envoi</translation>
    </message>
    <message>
        <source>patient</source>
        <translation>patient</translation>
    </message>
    <message>
        <source>care team</source>
        <translation>équipe soignante</translation>
    </message>
    <message>
        <source>URGENT</source>
        <translation>URGENT</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Avertissement</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Remarque</translation>
    </message>
    <message>
        <source>Score {name}</source>
        <translation>Score {name}</translation>
    </message>
    <message>
        <source>due {when}</source>
        <translation>échéance {when}</translation>
    </message>
    <message>
        <source>OVERDUE</source>
        <translation>EN RETARD</translation>
    </message>
    <message>
        <source>scheduled: opens then</source>
        <translation>planifié : s&apos;ouvre alors</translation>
    </message>
</context>
<context>
    <name>UserTableModel</name>
    <message>
        <source>User name</source>
        <translation>Nom d&apos;utilisateur</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rôle</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Statut</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Créé le</translation>
    </message>
</context>
<context>
    <name>UsersPage</name>
    <message>
        <source>Users</source>
        <translation>Utilisateurs</translation>
    </message>
    <message>
        <source>&amp;New user…</source>
        <translation>&amp;Nouvel utilisateur…</translation>
    </message>
    <message>
        <source>&amp;Disable / enable</source>
        <translation>&amp;Désactiver / réactiver</translation>
    </message>
    <message>
        <source>&amp;Unlock</source>
        <translation>Déverr&amp;ouiller</translation>
    </message>
    <message>
        <source>&amp;Reset password…</source>
        <translation>&amp;Réinitialiser le mot de passe…</translation>
    </message>
    <message>
        <source>Change r&amp;ole</source>
        <translation>Changer de rô&amp;le</translation>
    </message>
    <message>
        <source>Disable %1? They can no longer sign in.</source>
        <translation>Désactiver %1 ? Cette personne ne pourra plus se connecter.</translation>
    </message>
    <message>
        <source>Select a user first.</source>
        <translation>Sélectionnez d&apos;abord un utilisateur.</translation>
    </message>
    <message>
        <source>Give %1 the role %2?</source>
        <translation>Donner à %1 le rôle %2 ?</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>Confirmer</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Enregistré.</translation>
    </message>
    <message>
        <source>Reset password</source>
        <translation>Réinitialiser le mot de passe</translation>
    </message>
    <message>
        <source>Temporary password for %1:</source>
        <translation>Mot de passe temporaire pour %1 :</translation>
    </message>
</context>
<context>
    <name>Words</name>
    <message>
        <source>Male</source>
        <translation>Homme</translation>
    </message>
    <message>
        <source>Female</source>
        <translation>Femme</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Autre</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>Inconnu</translation>
    </message>
    <message>
        <source>Clinician</source>
        <translation>Soignant</translation>
    </message>
    <message>
        <source>Admin</source>
        <translation>Administrateur</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Actif</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Désactivé</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>Verrouillé</translation>
    </message>
    <message>
        <source>Sandbox</source>
        <translation>Sandbox</translation>
    </message>
    <message>
        <source>Production</source>
        <translation>Production</translation>
    </message>
</context>
<context>
    <name>WorkListModel</name>
    <message>
        <source>Priority</source>
        <translation>Priorité</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>Patient</translation>
    </message>
    <message>
        <source>Work</source>
        <translation>Travail</translation>
    </message>
    <message>
        <source>Care flow</source>
        <translation>Parcours de soins</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>Échéance</translation>
    </message>
    <message>
        <source>URGENT</source>
        <translation>URGENT</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Avertissement</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Remarque</translation>
    </message>
    <message>
        <source>OVERDUE</source>
        <translation>EN RETARD</translation>
    </message>
    <message>
        <source>alert</source>
        <translation>alerte</translation>
    </message>
    <message>
        <source>open</source>
        <translation>ouvert</translation>
    </message>
</context>
<context>
    <name>WorkListPane</name>
    <message>
        <source>Mine</source>
        <translation>Les miens</translation>
    </message>
    <message>
        <source>Ward</source>
        <translation>Service</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Tout</translation>
    </message>
    <message>
        <source>All care flows</source>
        <translation>Tous les parcours</translation>
    </message>
    <message>
        <source>&amp;Show:</source>
        <translation>&amp;Afficher :</translation>
    </message>
    <message>
        <source>Care f&amp;low:</source>
        <translation>&amp;Parcours :</translation>
    </message>
    <message>
        <source>Work list</source>
        <translation>Liste de travail</translation>
    </message>
    <message>
        <source>Work list: %1 open · %2 overdue · %3 alerts</source>
        <translation>Liste de travail : %1 ouverts · %2 en retard · %3 alertes</translation>
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
        <translation>Comme le système (%1)</translation>
    </message>
    <message>
        <source>Clinicians and admins</source>
        <translation>Soignants et administrateurs</translation>
    </message>
    <message>
        <source>Admins only</source>
        <translation>Administrateurs seulement</translation>
    </message>
    <message>
        <source>&amp;Lock after idle:</source>
        <translation>&amp;Verrouiller après inactivité :</translation>
    </message>
    <message>
        <source>Lan&amp;guage:</source>
        <translation>&amp;Langue :</translation>
    </message>
    <message>
        <source>Who may st&amp;op care flows:</source>
        <translation>Qui peut arrêter les parc&amp;ours :</translation>
    </message>
    <message>
        <source>After this many minutes without keyboard or mouse, patient details are hidden and the password is needed.</source>
        <translation>Après ce nombre de minutes sans clavier ni souris, les données des patients sont masquées et le mot de passe est demandé.</translation>
    </message>
    <message>
        <source>The language, dates and numbers change when CareApp starts again.</source>
        <translation>La langue, les dates et les nombres changent au prochain démarrage de CareApp.</translation>
    </message>
</context>
<context>
    <name>operations</name>
    <message>
        <source>Something unexpected stopped this ({kind}); nothing else was changed. The log has the details.</source>
        <translation>Un problème inattendu a interrompu cette action ({kind}) ; rien d&apos;autre n&apos;a été modifié. Le journal contient les détails.</translation>
    </message>
</context>
</TS>
