// Paths inside the guest that the Check API needs too. It ships in the npm package, so this
// file imports nothing.

/** Where the guest mounts the host's root; checks run chrooted into it. */
export const GUEST_HOST_ROOT = '/host';
