; Inno Setup script: CareApp for Windows from PyInstaller's dist\careapp (packaging\windows\careapp.spec).
;   iscc /DAppVersion=0.1.0 packaging\windows\careapp.iss
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6F1B7C2E-2D4A-4C8E-9E57-CA9E0A9F1C19}
AppName=CareApp
AppVersion={#AppVersion}
AppPublisher=CareApp
DefaultDirName={autopf}\CareApp
DefaultGroupName=CareApp
OutputDir=..\..\build
OutputBaseFilename=careapp-{#AppVersion}-windows-x64-setup
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
Compression=lzma2
SolidCompression=yes
ChangesEnvironment=yes
SetupIconFile=..\..\resources\icons\careapp.ico
UninstallDisplayIcon={app}\careappw.exe

[Files]
Source: "..\..\dist\careapp\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Icons]
Name: "{group}\CareApp"; Filename: "{app}\careappw.exe"
Name: "{autodesktop}\CareApp"; Filename: "{app}\careappw.exe"; Tasks: desktopicon

[Registry]
; careapp, careapp-server and careapp-hospital-sim on every user's PATH.
Root: HKLM; Subkey: "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; Check: NeedsAddPath(ExpandConstant('{app}'))

[Code]
function NeedsAddPath(Dir: string): Boolean;
var
  Path: string;
begin
  if not RegQueryStringValue(HKLM, 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment', 'Path', Path) then
    Result := True
  else
    Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Path) + ';') = 0;
end;
