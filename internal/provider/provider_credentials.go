package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
)

// The life of an agency's temporary credentials, in seconds, as IAM allows it.
const (
	minAgencyDuration     = 900
	maxAgencyDuration     = 86400
	defaultAgencyDuration = 3600
)

// credentialMethods are the two ways of signing in, by their settings.
// A security token belongs to an access key, but alone it names no credentials.
var credentialMethods = [2][]string{{"access_key", "secret_key"}, {"idp_id", "id_token_file"}}

// precedence is the best sourceRank of the attrs that are set; -1 when none is.
func (r *settingsResolver) precedence(attrs []string) int {
	best := -1
	for _, attr := range attrs {
		source, set := r.source[attr]
		if !set {
			continue
		}
		if rank := sourceRank(source); best == -1 || rank < best {
			best = rank
		}
	}
	return best
}

// sourceRank ranks where a setting came from: 0 the configuration, 1 an HW_ variable, 2 the SDK's
// (its variables, the CLOUD_SDK_ ones, its credentials file).
func sourceRank(source string) int {
	switch {
	case source == configurationSource:
		return 0
	case strings.HasPrefix(source, "HW_"):
		return 1
	}
	return 2
}

// chooseCredentials keeps one way of signing in: AK/SK, or OIDC federation (idp_id and
// id_token_file), whichever is set with the higher precedence. Both with the same precedence is an
// error on the attributes.
func (r *settingsResolver) chooseCredentials(cfg *liveapi.Config) {
	keys, federation := r.precedence(credentialMethods[0]), r.precedence(credentialMethods[1])
	switch {
	case keys == -1 || federation == -1:
	case keys == federation:
		describe := func(attrs []string) string {
			var set []string
			for _, attr := range attrs {
				if source, ok := r.source[attr]; ok {
					set = append(set, fmt.Sprintf("%s (from %s)", attr, source))
				}
			}
			return strings.Join(set, ", ")
		}
		r.diags.AddAttributeError(path.Root("idp_id"), "Conflicting Live Provider Credentials",
			fmt.Sprintf("The provider signs in either with an access key (access_key, secret_key) or with "+
				"OIDC federation (idp_id, id_token_file), not both: %s and %s are set. Remove one of them.",
				describe(credentialMethods[0]), describe(credentialMethods[1])))
	case federation < keys:
		cfg.AccessKey, cfg.SecretKey, cfg.SecurityToken = "", "", ""
	default:
		cfg.IdpID, cfg.IDTokenFile = "", ""
	}
}

// assumeRole resolves the assume_role block and its environment variables; nil when no agency is set.
func (r *settingsResolver) assumeRole(value types.Object) *liveapi.AssumeRole {
	block := assumeRoleModel{}
	switch {
	case value.IsUnknown():
		// A dynamic block whose for_each is not known yet.
		r.markUnknown("assume_role")
		return nil
	case !value.IsNull():
		r.diags.Append(value.As(context.Background(), &block, basetypes.ObjectAsOptions{})...)
	}
	attribute := path.Root("assume_role").AtName
	role := liveapi.AssumeRole{
		AgencyName: r.string("assume_role.agency_name", block.AgencyName),
		Duration:   defaultAgencyDuration * time.Second,
	}
	// The agency's account is one setting, by name or by ID: the block's, else the environment's.
	nameEnv, idEnv := settingEnvs["assume_role.domain_name"], settingEnvs["assume_role.domain_id"]
	if !isBlank(block.DomainName) || !isBlank(block.DomainID) {
		nameEnv, idEnv = nil, nil
	}
	role.DomainName = r.stringFrom("assume_role.domain_name", block.DomainName, nameEnv)
	role.DomainID = r.stringFrom("assume_role.domain_id", block.DomainID, idEnv)
	_, named := r.source["assume_role.agency_name"]
	_, byName := r.source["assume_role.domain_name"]
	_, byID := r.source["assume_role.domain_id"]
	if !named && !byName && !byID {
		return nil
	}
	switch {
	case !named:
		r.diags.AddAttributeError(attribute("agency_name"), "Missing Live Provider Setting",
			fmt.Sprintf("To assume an agency, set its name: agency_name in the assume_role block or the %s environment variable.", settingEnvs["assume_role.agency_name"][0]))
	case !byName && !byID:
		r.diags.AddAttributeError(attribute("domain_name"), "Missing Live Provider Setting",
			fmt.Sprintf("To assume the agency %q, set the account that created it: domain_name or domain_id in the assume_role "+
				"block, or the %s or %s environment variable.", role.AgencyName, settingEnvs["assume_role.domain_name"][0], settingEnvs["assume_role.domain_id"][0]))
	case byName && byID:
		r.diags.AddAttributeError(attribute("domain_id"), "Conflicting Live Provider Settings",
			fmt.Sprintf("The agency's account is set twice, as domain_name (from %s) and domain_id (from %s): set one of them.",
				r.source["assume_role.domain_name"], r.source["assume_role.domain_id"]))
	}
	env := r.getenv(settingEnvs["assume_role.duration"][0])
	switch {
	case block.Duration.IsUnknown():
		r.markUnknown("assume_role.duration")
	case !block.Duration.IsNull():
		role.Duration = time.Duration(block.Duration.ValueInt64()) * time.Second
	case env != "":
		seconds, err := strconv.Atoi(env)
		if err != nil || seconds < minAgencyDuration || seconds > maxAgencyDuration {
			r.diags.AddAttributeError(attribute("duration"), "Invalid Live Provider Setting",
				fmt.Sprintf("The %s environment variable must be a number of seconds from %d to %d.", settingEnvs["assume_role.duration"][0], minAgencyDuration, maxAgencyDuration))
		}
		role.Duration = time.Duration(seconds) * time.Second
	}
	return &role
}

// checkReadableFile reports why path is not a regular file that can be opened for reading.
func checkReadableFile(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", path)
	}
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	return file.Close()
}

// envCredentialsFile names the SDK's credentials file, ~/.huaweicloud/credentials by default.
const envCredentialsFile = "HUAWEICLOUD_SDK_CREDENTIALS_FILE" //nolint:gosec // the name of a variable

// fromCredentialsFile takes the credentials from the SDK's credentials file, read by the SDK, when
// no setting names any: its [basic] section's ak and sk (and security_token), or idp_id and
// id_token_file, with its project_id and iam_endpoint for those left unset.
func (r *settingsResolver) fromCredentialsFile(cfg *liveapi.Config) {
	if r.credentialsNamed() {
		return
	}
	file := r.getenv(envCredentialsFile)
	if file == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return
		}
		file = filepath.Join(home, ".huaweicloud", "credentials")
	}
	if _, err := os.Stat(file); err != nil {
		if r.getenv(envCredentialsFile) != "" {
			// Named, yet missing: never fall through to another identity, such as the instance's.
			r.diags.AddError("Invalid Live Provider Credentials File",
				fmt.Sprintf("%s names the credentials file %s, which cannot be read: %v.", envCredentialsFile, file, err))
		}
		return
	}
	fromFile, err := liveapi.ReadCredentialsFile()
	if err != nil {
		r.diags.AddError("Invalid Live Provider Credentials File",
			fmt.Sprintf("No credentials are set, so the provider read the SDK's credentials file %s, which it cannot use: %v. "+
				"Fix its [basic] section (ak and sk, or idp_id and id_token_file), or set credentials.", file, err))
		return
	}
	source := "the SDK's credentials file " + file
	if fromFile.IdpID != "" {
		cfg.IdpID, cfg.IDTokenFile = fromFile.IdpID, fromFile.IDTokenFile
		r.setSource("idp_id", source)
		r.setSource("id_token_file", source)
	} else {
		cfg.AccessKey, cfg.SecretKey, cfg.SecurityToken = fromFile.AccessKey, fromFile.SecretKey, fromFile.SecurityToken
		r.setSource("access_key", source)
	}
	if cfg.ProjectID == "" && fromFile.ProjectID != "" {
		cfg.ProjectID = fromFile.ProjectID
		r.setSource("project_id", source)
	}
	if cfg.IAMEndpoint == "" && fromFile.IAMEndpoint != "" {
		cfg.IAMEndpoint = fromFile.IAMEndpoint
		r.setSource("iam_endpoint", source)
	}
}

// credentialsNamed reports whether any source (configuration, variable or credentials file) names
// credentials.
func (r *settingsResolver) credentialsNamed() bool {
	for _, attr := range slices.Concat(credentialMethods[0], credentialMethods[1]) {
		if _, set := r.source[attr]; set {
			return true
		}
	}
	return false
}

// checkRequired reports the credentials and the project that are missing, not merely unknown.
func (r *settingsResolver) checkRequired(cfg liveapi.Config) {
	type requiredSetting struct{ attr, value, what string }
	required := []requiredSetting{
		{"access_key", cfg.AccessKey, "access key"},
		{"secret_key", cfg.SecretKey, "secret key"},
	}
	if cfg.MetadataEndpoint != "" {
		required = nil // the metadata service's, or an error when the client is built
	}
	if cfg.IdpID != "" || cfg.IDTokenFile != "" || r.isUnknown["idp_id"] || r.isUnknown["id_token_file"] {
		required = []requiredSetting{
			{"idp_id", cfg.IdpID, "identity provider ID (OIDC federation)"},
			{"id_token_file", cfg.IDTokenFile, "ID token file (OIDC federation)"},
		}
		if cfg.IDTokenFile != "" {
			if err := checkReadableFile(cfg.IDTokenFile); err != nil {
				r.diags.AddAttributeError(path.Root("id_token_file"), "Invalid Live Provider Setting",
					fmt.Sprintf("The ID token file (id_token_file, from %s) cannot be read: %s.", r.source["id_token_file"], err))
			}
		}
	}
	for _, required := range required {
		if required.value == "" && !r.isUnknown[required.attr] {
			r.diags.AddAttributeError(path.Root(required.attr), "Missing Live Provider Setting",
				fmt.Sprintf("The provider cannot create the Live API client because the %s is missing. "+
					"Set %s in the provider configuration or the %s environment variable.",
					required.what, required.attr, strings.Join(settingEnvs[required.attr], " or ")))
		}
	}
	if cfg.ProjectID == "" && cfg.Region == "" && !r.isUnknown["project_id"] && !r.isUnknown["region"] {
		r.diags.AddAttributeError(path.Root("project_id"), "Missing Live Provider Setting",
			fmt.Sprintf("The provider cannot create the Live API client because the project ID is missing. "+
				"Set project_id in the provider configuration or the %s environment variable, or set region "+
				"(or %s) so that the provider discovers the region's project from IAM.", settingEnvs["project_id"][0], settingEnvs["region"][0]))
	}
}
