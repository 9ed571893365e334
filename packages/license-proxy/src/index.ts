export { DEFAULT_FEATURES, DEFAULT_LIMITS, issueLicenseKey, type IssueLicenseOptions } from './license/issue-license-key.js';
export { generateSigningKeyPair, type SigningKeyPair } from './license/signing-key-pair.js';
export { licenseProxyVariables, loadConfig, type LicenseProxyConfig } from './config.js';
export { startLicenseProxy, type LicenseProxyOptions, type RunningLicenseProxy } from './license-proxy.js';
export { issue, type IssueArgs } from './cli/issue.js';
export { keygen } from './cli/keygen.js';
