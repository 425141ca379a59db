package liveemulator

// The emulator's default account: what the live-emulator command accepts unless told otherwise, and
// what the tests, the demo and the README use. Not secrets.
const (
	DefaultAccessKey = "EMULATORACCESSKEY"
	DefaultSecretKey = "EMULATORSECRETKEY0123456789abcdef"
	DefaultProjectID = "0123456789abcdef0123456789abcdef"
	// DefaultRegion names the account's project in IAM.
	DefaultRegion = "cn-north-4"
	// The account's domain, which IAM lists for domain-level credentials.
	DefaultDomainID   = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
	DefaultDomainName = "emulator"
)
