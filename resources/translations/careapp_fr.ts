<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>AdminDialog</name>
    <message>
        <location filename="../../careapp/ui/admin/admin_dialog.py" line="17"/>
        <location filename="../../careapp/ui/admin/admin_dialog.py" line="20"/>
        <source>Administration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/admin/admin_dialog.py" line="23"/>
        <source>&amp;Users</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/admin/admin_dialog.py" line="24"/>
        <source>&amp;Audit log</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AuditPage</name>
    <message>
        <location filename="../../careapp/ui/admin/audit_page.py" line="70"/>
        <source>e.g. login, patient., user.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/admin/audit_page.py" line="72"/>
        <source>e.g. user:ann</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/admin/audit_page.py" line="79"/>
        <source>&amp;Action starts with:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/admin/audit_page.py" line="80"/>
        <source>Act&amp;or:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/admin/audit_page.py" line="83"/>
        <source>&amp;From:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/admin/audit_page.py" line="84"/>
        <source>&amp;To:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/admin/audit_page.py" line="88"/>
        <source>Audit log</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="40"/>
        <source>Import patient from the hospital</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="48"/>
        <source>type or scan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="50"/>
        <source>Hospital patient id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="50"/>
        <source>Visit number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="55"/>
        <source>&amp;Look up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="57"/>
        <source>&amp;Id:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="58"/>
        <source>&amp;Kind:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="59"/>
        <source>&amp;Source:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="63"/>
        <source>Matching patients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="66"/>
        <source>Preview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="70"/>
        <source>&amp;Save patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="72"/>
        <source>&amp;Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="74"/>
        <source>&amp;Physician:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="101"/>
        <source>Enter a hospital patient id or visit number.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="116"/>
        <source>Asking the hospital…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="124"/>
        <source>%n patients match: choose one.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="132"/>
        <source>Check the details, choose the physician, then save.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="144"/>
        <source>Born</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="145"/>
        <source>Sex</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="150"/>
        <source>Phone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="150"/>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="170"/>
        <source>named by the hospital record</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="195"/>
        <source>Choose the physician first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="209"/>
        <source>Saved: a new patient in CareApp.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/import_dialog.py" line="211"/>
        <source>This patient was known already: the details were updated.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <location filename="../../careapp/ui/lock_screen.py" line="20"/>
        <source>Locked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/lock_screen.py" line="23"/>
        <source>&amp;Unlock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/lock_screen.py" line="24"/>
        <source>S&amp;witch user</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/lock_screen.py" line="27"/>
        <source>&amp;Password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/lock_screen.py" line="50"/>
        <source>&lt;h2&gt;Workstation locked&lt;/h2&gt;&lt;p&gt;Signed in as %1. Enter your password to continue.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../careapp/ui/login.py" line="36"/>
        <source>CareApp — sign in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/login.py" line="46"/>
        <source>&lt;h2&gt;CareApp&lt;/h2&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/login.py" line="54"/>
        <source>Opening the local cache…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/login.py" line="74"/>
        <location filename="../../careapp/ui/login.py" line="95"/>
        <source>&amp;User name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/login.py" line="75"/>
        <location filename="../../careapp/ui/login.py" line="97"/>
        <source>&amp;Password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/login.py" line="76"/>
        <source>&amp;Sign in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/login.py" line="86"/>
        <source>This workstation has no accounts yet. Create the first admin account.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/login.py" line="96"/>
        <source>&amp;Full name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/login.py" line="98"/>
        <source>&amp;Repeat password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/login.py" line="99"/>
        <source>&amp;Create admin account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/login.py" line="141"/>
        <source>Enter your user name and password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/login.py" line="144"/>
        <source>Signing in…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../../careapp/ui/login.py" line="170"/>
        <source>Too many failed attempts. Try again in %n s.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../careapp/ui/login.py" line="177"/>
        <source>The two passwords differ.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../careapp/ui/main_window.py" line="38"/>
        <source>CareApp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/main_window.py" line="62"/>
        <source>Signed in: %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/main_window.py" line="95"/>
        <source>&amp;Ward</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/main_window.py" line="97"/>
        <source>&amp;Find patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/main_window.py" line="99"/>
        <source>&amp;Import patient…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/main_window.py" line="100"/>
        <source>Pull &amp;SIU now…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/main_window.py" line="102"/>
        <source>&amp;Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/main_window.py" line="105"/>
        <source>&amp;Lock workstation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/main_window.py" line="107"/>
        <source>&amp;Switch user</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/main_window.py" line="109"/>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/main_window.py" line="110"/>
        <source>&amp;Tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/main_window.py" line="111"/>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/main_window.py" line="112"/>
        <source>&amp;Administration…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/main_window.py" line="181"/>
        <source>The backend changed. Sign in to the new environment.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>NewUserDialog</name>
    <message>
        <location filename="../../careapp/ui/admin/users_page.py" line="76"/>
        <source>New user</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/admin/users_page.py" line="80"/>
        <source>Clinician</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/admin/users_page.py" line="80"/>
        <source>Admin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/admin/users_page.py" line="84"/>
        <source>&amp;User name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/admin/users_page.py" line="85"/>
        <source>&amp;Full name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/admin/users_page.py" line="86"/>
        <source>&amp;Role:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/admin/users_page.py" line="87"/>
        <source>&amp;Temporary password:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PatientDetailPanel</name>
    <message>
        <location filename="../../careapp/ui/patient_detail.py" line="23"/>
        <source>Patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/patient_detail.py" line="26"/>
        <source>Care flows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/patient_detail.py" line="27"/>
        <source>&lt;b&gt;Care flows&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/patient_detail.py" line="38"/>
        <source>&lt;p style=&apos;color:#6b7280&apos;&gt;Select a patient, or import one from the hospital.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/patient_detail.py" line="57"/>
        <source>Phone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/patient_detail.py" line="58"/>
        <source>Email</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/patient_detail.py" line="59"/>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/patient_detail.py" line="70"/>
        <source>waiting to be sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/patient_detail.py" line="74"/>
        <source>Not enrolled in any care flow yet.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PatientListPanel</name>
    <message>
        <location filename="../../careapp/ui/patient_list.py" line="91"/>
        <source>Search by name or id — or scan a wristband</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/patient_list.py" line="92"/>
        <source>Search patients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/patient_list.py" line="96"/>
        <source>Patients</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../careapp/ui/settings_dialog.py" line="25"/>
        <source>Workstation settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/settings_dialog.py" line="29"/>
        <source>empty: the built-in local demo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/settings_dialog.py" line="38"/>
        <source> min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/settings_dialog.py" line="41"/>
        <source>&amp;Backend URL:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/settings_dialog.py" line="42"/>
        <source>&amp;Region:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/settings_dialog.py" line="43"/>
        <source>&amp;Environment:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/settings_dialog.py" line="44"/>
        <source>&amp;Lock after idle:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/settings_dialog.py" line="60"/>
        <source>The backend URL must start with https:// (plain http only on this machine).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SiuPullDialog</name>
    <message>
        <location filename="../../careapp/ui/hospital_import/siu_pull_dialog.py" line="23"/>
        <source>Pull SIU messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/siu_pull_dialog.py" line="28"/>
        <source>Reading the drop folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/siu_pull_dialog.py" line="30"/>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/siu_pull_dialog.py" line="32"/>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/siu_pull_dialog.py" line="34"/>
        <source>&amp;Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/siu_pull_dialog.py" line="35"/>
        <source>&amp;Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/siu_pull_dialog.py" line="63"/>
        <source>File %1 of %2…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/siu_pull_dialog.py" line="68"/>
        <source>Stopping after the current file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/siu_pull_dialog.py" line="74"/>
        <source>%1 files read, %2 moved to error/.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/siu_pull_dialog.py" line="77"/>
        <source>%1 new patients, %2 updated, %3 care flows queued.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/siu_pull_dialog.py" line="84"/>
        <source>%1 messages were seen before and skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/siu_pull_dialog.py" line="88"/>
        <source>%1 files are still being written; next pull.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/hospital_import/siu_pull_dialog.py" line="95"/>
        <source>Cancelled: the rest waits for the next pull.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>UsersPage</name>
    <message>
        <location filename="../../careapp/ui/admin/users_page.py" line="109"/>
        <source>Users</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/admin/users_page.py" line="115"/>
        <source>&amp;New user…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/admin/users_page.py" line="116"/>
        <source>&amp;Disable / enable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/admin/users_page.py" line="117"/>
        <source>&amp;Unlock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/admin/users_page.py" line="118"/>
        <source>&amp;Reset password…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/admin/users_page.py" line="119"/>
        <source>Change r&amp;ole</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/admin/users_page.py" line="162"/>
        <location filename="../../careapp/ui/admin/users_page.py" line="191"/>
        <source>Select a user first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/admin/users_page.py" line="170"/>
        <source>Saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/admin/users_page.py" line="195"/>
        <source>Reset password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../careapp/ui/admin/users_page.py" line="196"/>
        <source>Temporary password for %1:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
