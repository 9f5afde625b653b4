// CNN Lab is packaged once per platform (scripts/package-vsix.mjs): sharp's image decoder, Dawn and
// the tfjs-node binding are native code for one OS and CPU. A universal package, or another
// platform's, has no usable image decoder here, so activation says which package to install
// instead of failing on the first image. No `vscode` import: tested in plain Node.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** vsce's --target name for this machine (alpine-* for musl Linux). */
export function vsceTarget(platform: NodeJS.Platform, arch: string, musl = false): string {
  return `${platform === 'linux' && musl ? 'alpine' : platform}-${arch}`;
}

/** The sharp platform package this machine loads (@img/sharp-<os>-<cpu>, linuxmusl on musl). */
export function sharpPackage(platform: NodeJS.Platform, arch: string, musl = false): string {
  return `@img/sharp-${platform === 'linux' && musl ? 'linuxmusl' : platform}-${arch}`;
}

/** The one line to show when the installed package lacks this platform's native parts, else null. */
export function missingPlatformPackage(
  extensionPath: string,
  version: string,
  platform: NodeJS.Platform,
  arch: string,
  musl = false,
): string | null {
  const sharp = sharpPackage(platform, arch, musl);
  if (existsSync(join(extensionPath, 'node_modules', ...sharp.split('/'), 'package.json'))) return null;
  const target = vsceTarget(platform, arch, musl);
  return (
    `This CNN Lab package has no native parts for ${target} (${sharp}, the image decoder): it cannot train or predict here. ` +
    `Install the ${target} package, cnn-lab-${target}-${version}.vsix, with "Extensions: Install from VSIX…" (or install CNN Lab from the Marketplace, which picks it for this platform).`
  );
}
