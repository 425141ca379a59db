package provider

import (
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
		"security_token": envSecurityToken, "endpoint": envEndpoint, "iam_endpoint": envIAMEndpoint,
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
	// Regions of other Huawei Cloud services that Live's SDK may add: the docs must list any it has.
	for _, other := range []string{"cn-south-1", "cn-southwest-2", "cn-north-9", "cn-east-2", "ap-southeast-1", "ap-southeast-4",
		"af-south-1", "la-south-2", "la-north-2", "sa-brazil-1", "tr-west-1", "me-east-1", "eu-west-101", "ru-northwest-2"} {
		if _, err := liveapi.RegionEndpoint(other); err == nil && !slices.Contains(names, other) {
			t.Errorf("the SDK knows region %s, which the docs do not list", other)
		}
	}
}
