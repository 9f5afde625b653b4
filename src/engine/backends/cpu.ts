// The pure-JavaScript backend that ships inside @tensorflow/tfjs: always there, the slowest.
import { silenceCpuBackendBanner } from '../tfjsPatches.ts';
import type { BackendDriver } from './driver.ts';

export const cpuDriver: BackendDriver = {
  name: 'cpu',
  canTrainConv: true,
  load: async () => ({ ok: true, tfName: 'cpu', note: 'pure JavaScript, always available (the slowest)' }),
  onActivated() {
    // Its first tensor prints a banner telling Node users to install tfjs-node from the internet;
    // `cnn-lab backends` gives the advice that fits this machine instead.
    silenceCpuBackendBanner();
  },
};
