@echo off
rem poolpair launcher for Windows: runs from the unpacked distribution. JAVA_OPTS adds JVM options.
setlocal
set "HOME_DIR=%~dp0.."
if "%JAVA%"=="" set "JAVA=java"
"%JAVA%" %JAVA_OPTS% -Dpoolpair.home="%HOME_DIR%" -Dlog4j2.configurationFile="%HOME_DIR%\config\log4j2.xml" -cp "%HOME_DIR%\lib\*" io.poolpair.cli.PoolPairCommand %*
