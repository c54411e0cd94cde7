/**
 * How the browser tests start Debian's Chromium through playwright-core: never a downloaded browser
 * (`.ci/run` installs the `chromium` package), and flags for a quiet, isolated headless run that makes
 * no connection beyond this machine on its own.
 */
export const chromiumLaunch = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-sync',
  ],
};
