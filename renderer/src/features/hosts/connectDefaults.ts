import { launchRdp } from '../rdp/rdpStore';
import { registerConnectHandler } from './connect';

// Windows hosts connect over RDP (the RDP feature's launch: password, tunnel, client). The
// sessions feature registers the Linux handler (an SSH terminal tab) when it loads.
registerConnectHandler('windows', async (target) => {
  await launchRdp(
    target.kind === 'host'
      ? { hostId: target.host.id, ...(target.host.osUser !== 'Administrator' ? { username: target.host.osUser } : {}) }
      : { instance: { profileId: target.instance.profileId, region: target.instance.region, instanceId: target.instance.instanceId } },
  );
});
