; Windows installer for ConsentBooth (Inno Setup 6), built by .github/workflows/package.yml from the
; one-folder app of packaging/consentbooth.spec:
;   iscc /DAppVersion=0.1.0 /DAppVersion4=0.1.0.0 /DSourceDir=dist\consentbooth /DOutputDir=dist
;        /DAddonDir=dist\consentbooth-ocr /DCameraDir=dist\consentbooth-camera
;        /DIconFile=build\icons\consentbooth.ico packaging\windows\consentbooth.iss
; The two add-ons (packaging/addon.py) are optional components, both chosen by default ("Full");
; "Compact" leaves them out. The business-card reader (OCR) goes into a folder inside the app's,
; where the app looks; the badge camera (Qt Multimedia and FFmpeg) among the app's own files.
; Installs per user without administrator rights (booth laptops are often locked down), into
; %LOCALAPPDATA%\Programs\ConsentBooth; an administrator may choose all users instead. Data,
; settings and logs live in %LOCALAPPDATA%\ConsentBooth, which neither an upgrade nor the
; uninstaller touches.

#ifndef AppVersion
  #error Pass /DAppVersion=... (python packaging/metadata.py version)
#endif
#ifndef AppVersion4
  #define AppVersion4 AppVersion
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\consentbooth"
#endif
#ifndef AddonDir
  #define AddonDir "..\..\dist\consentbooth-ocr"
#endif
#ifndef CameraDir
  #define CameraDir "..\..\dist\consentbooth-camera"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
#ifndef IconFile
  #define IconFile "..\..\build\icons\consentbooth.ico"
#endif
#define AppName "ConsentBooth"
#define AppExe "consentbooth.exe"

[Setup]
; Never change AppId: it is how a new version finds and upgrades the installed one.
AppId={{6F3C2B0E-8D4A-4C1B-9E57-2A1D3C4B5E60}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
VersionInfoVersion={#AppVersion4}
AppPublisher=ConsentBooth contributors
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename=ConsentBooth-{#AppVersion}-windows-x64-setup
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; A running ConsentBooth is asked to close before its files are replaced.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Types]
Name: "full"; Description: "ConsentBooth with the badge camera and the business-card reader"
Name: "compact"; Description: "ConsentBooth alone, for a handheld badge scanner or typing (about 330 MB less)"
Name: "custom"; Description: "{cm:CustomInstallation}"; Flags: iscustom

[Components]
Name: "main"; Description: "ConsentBooth"; Types: full compact custom; Flags: fixed
Name: "camera"; Description: "Badge camera (scans badges with the laptop's camera; also needed to photograph cards)"; Types: full
Name: "ocr"; Description: "Business-card reader (reads a photographed card into the form, on this laptop)"; Types: full

[InstallDelete]
; An upgrade replaces the previous version's program files; it never mixes two versions' libraries
; (and an add-on left out this time is removed: the camera's files are in _internal).
Type: filesandordirs; Name: "{app}\_internal"
Type: filesandordirs; Name: "{app}\consentbooth-ocr"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Components: main; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "{#CameraDir}\*"; DestDir: "{app}"; Components: camera; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "{#AddonDir}\*"; DestDir: "{app}\consentbooth-ocr"; Components: ocr; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
