package provider

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
)

// TestProviderDocsAgreeWithTheSchema: the hand-written parts of the provider's docs page, its table
// of settings and environment variables and its list of regions, say what the code does.
func TestProviderDocsAgreeWithTheSchema(t *testing.T) {
	template, err := os.ReadFile("../../templates/index.md.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	envs := map[string][]string{
		"region": envRegion, "project_id": envProjectID, "access_key": envAccessKey, "secret_key": envSecretKey,
		"security_token": envSecurityToken, "idp_id": envIdpID, "id_token_file": envIDTokenFile,
		"agency_name": envAgencyName, "domain_name": envAgencyDomainName, "domain_id": envAgencyDomainID, "duration": envAgencyDuration,
		"endpoint": envEndpoint, "iam_endpoint": envIAMEndpoint,
		"insecure": envInsecure, "max_retries": envMaxRetries,
	}
	rows := regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\| ([^|]+) \\|").FindAllStringSubmatch(string(template), -1)
	documented := map[string]bool{}
	for _, row := range rows {
		attr, column := row[1], strings.TrimSpace(row[2])
		documented[attr] = true
		want, ok := envs[attr]
		if !ok {
			t.Errorf("the table documents %s, which is not a setting", attr)
			continue
		}
		if wantColumn := "`" + strings.Join(want, "`, then `") + "`"; column != wantColumn {
			t.Errorf("%s: the table says %s, the provider reads %s", attr, column, wantColumn)
		}
	}
	for attr := range envs {
		if !documented[attr] {
			t.Errorf("the table leaves out %s", attr)
		}
	}

	listed := regexp.MustCompile("With `region` set to one of ([^.]+)\\.").FindStringSubmatch(string(template))
	if listed == nil {
		t.Fatal("the template lists no regions")
	}
	regions := regexp.MustCompile("`([a-z0-9-]+)`").FindAllStringSubmatch(listed[1], -1)
	var names []string
	for _, r := range regions {
		names = append(names, r[1])
		endpoint, err := liveapi.RegionEndpoint(r[1])
		if err != nil || endpoint != "https://live."+r[1]+".myhuaweicloud.com" {
			t.Errorf("region %s: endpoint %q, %v", r[1], endpoint, err)
		}
	}
	// The SDK names every region it knows when asked for one it does not.
	_, err = liveapi.RegionEndpoint("no-such-region-1")
	known := regexp.MustCompile(`\[([^\]]*)\]`).FindStringSubmatch(fmt.Sprint(err))
	if known == nil {
		t.Fatalf("the SDK's error lists no regions: %v", err)
	}
	sdkRegions := strings.Split(known[1], ", ")
	slices.Sort(sdkRegions)
	slices.Sort(names)
	if !slices.Equal(sdkRegions, names) {
		t.Errorf("the docs list the regions %v, the SDK knows %v", names, sdkRegions)
	}
}
