export function inRootNetworkNamespace(): boolean
export function isLoopbackDestination(address: string | undefined): boolean
export function installSendGuard(): void
