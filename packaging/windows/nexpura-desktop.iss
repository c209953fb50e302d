; Inno Setup script: the Windows installer for the one-folder bundle.
;   python packaging\build.py            (builds dist\nexpura-desktop\ and, with iscc on PATH, this)
;   iscc packaging\windows\nexpura-desktop.iss
; Output: dist\NexpuraDesktop-Setup-<version>.exe.  Installs per user (no admin prompt) into
; %LOCALAPPDATA%\Programs\Nexpura Desktop, with Start-menu entries and an optional
; start-at-login entry (the same HKCU Run value the app's Settings page switches).
; The shop's data (%LOCALAPPDATA%\NexpuraDesktop) and keyring entries are never removed.

#define AppName "Nexpura Desktop"
#ifndef AppVersion
  #define AppVersion "0.1.0"  ; build.py passes /DAppVersion=<nexpura_desktop.__version__>
#endif
#define AppExe "nexpura-desktop.exe"
#define Bundle "..\..\dist\nexpura-desktop"

[Setup]
AppId={{6F1C2B9E-4D7A-4E55-9B38-2A1E5C0D7F41}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Nexpura
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=NexpuraDesktop-Setup-{#AppVersion}
SetupIconFile=..\..\build\icons\app.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"
Name: "startatlogin"; Description: "Start {#AppName} when I sign in to Windows"; GroupDescription: "Background sync:"

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\{#AppName} self-test"; Filename: "{cmd}"; Parameters: "/k ""{app}\nexpura-desktop-cli.exe"" selftest"
Name: "{group}\Uninstall {#AppName}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; Same key and value name as nexpura_desktop/ui/autostart.py (RUN_KEY, RUN_VALUE).
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "NexpuraDesktop"; ValueData: """{app}\{#AppExe}"""; Flags: uninsdeletevalue; Tasks: startatlogin

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
Type: filesandordirs; Name: "{app}\_internal"
