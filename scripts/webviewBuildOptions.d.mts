import type { BuildOptions } from 'esbuild';

export declare const WEBVIEW_BUILD_OPTIONS: Pick<BuildOptions, 'bundle' | 'platform' | 'format' | 'target' | 'loader'>;
