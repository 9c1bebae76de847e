; Inno Setup script: the Windows installer of Finetune Studio, from the PyInstaller folder dist\finetune-studio.
;
;   iscc /DAppVersion=0.1.0 packaging\windows\finetune-studio.iss
;
; Run after PyInstaller and packaging\make_icons.py (.github/workflows/build-windows.yml does all three).
; Installs per user by default (no administrator prompt; "Install for all users" is offered), adds a Start menu
; entry, an optional desktop icon and an uninstaller. Writes dist\FinetuneStudio-<version>-windows-x64-setup.exe.
; Paths below are relative to this file.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "Finetune Studio"
#define AppExe "finetune-studio.exe"

[Setup]
; The id ties upgrades and the uninstaller to this app: never change it.
AppId={{70C0E19D-C495-4E06-ADA2-60CB3A6704B8}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Finetune Studio
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=FinetuneStudio-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\build\icons\finetune-studio.ico
UninstallDisplayIcon={app}\{#AppExe}
; The payload is ~1.5 GB of mostly compiled libraries: fast LZMA2 in a separate process keeps the build in minutes.
Compression=lzma2/fast
SolidCompression=yes
LZMAUseSeparateProcess=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\finetune-studio\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autoprograms}\{#AppName} command line"; Filename: "{cmd}"; Parameters: "/k ""{app}\finetune-studio-cli.exe"" --help"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
