package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"

	"github.com/platform-tools/terraform-provider-live/internal/clifeatures"
	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
)

// TestProviderDocsAgreeWithTheSchema: the hand-written parts of the provider's docs page, its tables
// of settings and environment variables, its table of the credentials' precedence and its list of
// regions, say what the code does: the schema, settingEnvs, credentialMethods and sourceRank.
func TestProviderDocsAgreeWithTheSchema(t *testing.T) {
	template := readIndexTemplate(t)
	var resp provider.SchemaResponse
	(&liveProvider{}).Schema(context.Background(), provider.SchemaRequest{}, &resp)

	// One table per level: the provider's attributes, then each block's, by their path.
	type level struct{ prefix, header string }
	paths := map[level][]string{}
	for name := range resp.Schema.Attributes {
		paths[level{"", "Setting"}] = append(paths[level{"", "Setting"}], name)
	}
	for block, b := range resp.Schema.Blocks {
		l := level{block + ".", "`" + block + "` setting"}
		for name := range b.GetNestedObject().GetAttributes() {
			paths[l] = append(paths[l], block+"."+name)
		}
	}
	documented := map[string]bool{}
	for l, settings := range paths {
		for _, row := range markdownTable(t, template, l.header) {
			path, column := l.prefix+strings.Trim(row[0], "`"), row[1]
			documented[path] = true
			if !slices.Contains(settings, path) {
				t.Errorf("the %q table documents %s, which is not a setting", l.header, path)
				continue
			}
			want := "none"
			if envs := settingEnvs[path]; len(envs) > 0 {
				want = "`" + strings.Join(envs, "`, then `") + "`"
			}
			if column != want {
				t.Errorf("%s: the table says %s, the provider reads %s", path, column, want)
			}
		}
		for _, path := range settings {
			if !documented[path] {
				t.Errorf("the %q table leaves out %s", l.header, path)
			}
		}
	}
	for path := range settingEnvs {
		if !documented[path] {
			t.Errorf("settingEnvs names %s, which is not a documented setting", path)
		}
	}

	// Every variable named on the page is one the provider reads.
	read := []string{envCredentialsFile}
	for _, envs := range settingEnvs {
		read = append(read, envs...)
	}
	if !strings.Contains(template, "`"+envCredentialsFile+"`") {
		t.Errorf("the template does not name %s", envCredentialsFile)
	}
	for _, name := range regexp.MustCompile(`\b(?:HW|CLOUD_SDK|HUAWEICLOUD_SDK)_[A-Z0-9_]+`).FindAllString(template, -1) {
		if !slices.Contains(read, name) {
			t.Errorf("the template names %s, which the provider does not read", name)
		}
	}
}

// TestProviderDocsCredentialPrecedence: the rows of the precedence table list, for each way of
// signing in, its settings (the configuration), then its variables of each rank, in the order the
// provider tries them.
func TestProviderDocsCredentialPrecedence(t *testing.T) {
	template := readIndexTemplate(t)
	rows := markdownTable(t, template, "Source")
	if len(rows) < 3 {
		t.Fatalf("the precedence table has %d rows, want the configuration's and two of variables", len(rows))
	}
	for rank, row := range rows[:3] {
		for method, attrs := range credentialMethods {
			names := attrs
			if rank > 0 {
				names = variablesOfRank(attrs, rank)
			}
			if want := "`" + strings.Join(names, "`, `") + "`"; row[method+1] != want {
				t.Errorf("%s: the table says %s, the provider ranks %s there", row[0], row[method+1], want)
			}
		}
	}
	token := "`security_token`, else `" + strings.Join(settingEnvs["security_token"], "`, else `") + "`"
	if !strings.Contains(strings.Join(strings.Fields(template), " "), token) {
		t.Errorf("the template does not say that the security token is %s", token)
	}
}

// TestProviderDocsRegions: the regions that the page lists are those the SDK knows, each with the
// endpoint the page says.
func TestProviderDocsRegions(t *testing.T) {
	template := readIndexTemplate(t)
	listed := regexp.MustCompile("With `region` set to one of ([^.]+)\\.").FindStringSubmatch(template)
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
	_, err := liveapi.RegionEndpoint("no-such-region-1")
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

// variablesOfRank lists the variables of attrs that sourceRank puts at rank, in the order the
// provider tries them: the first variable of each setting, then the second, and so on.
func variablesOfRank(attrs []string, rank int) []string {
	var names []string
	for position, more := 0, true; more; position++ {
		more = false
		for _, attr := range attrs {
			if envs := settingEnvs[attr]; position < len(envs) {
				more = true
				if sourceRank(envs[position]) == rank {
					names = append(names, envs[position])
				}
			}
		}
	}
	return names
}

func readIndexTemplate(t *testing.T) string {
	t.Helper()
	template, err := os.ReadFile("../../templates/index.md.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	return string(template)
}

// markdownTable returns the cells of the rows of the table whose first header cell is header.
func markdownTable(t *testing.T, markdown, header string) [][]string {
	t.Helper()
	lines := strings.Split(markdown, "\n")
	start := slices.IndexFunc(lines, func(line string) bool { return strings.HasPrefix(line, "| "+header+" |") })
	if start == -1 || start+1 >= len(lines) || !strings.HasPrefix(lines[start+1], "|---") {
		t.Fatalf("the template has no table headed %q", header)
	}
	var rows [][]string
	for _, line := range lines[start+2:] {
		if !strings.HasPrefix(line, "|") {
			break
		}
		var cells []string
		for _, cell := range strings.Split(strings.Trim(line, "|"), "|") {
			cells = append(cells, strings.TrimSpace(cell))
		}
		rows = append(rows, cells)
	}
	return rows
}

// TestMakeUnsetsEveryProviderVariable: make runs every test command without any variable that the
// provider reads, so that a developer's own credentials never reach a test: through
// scripts/without-provider-env.sh, which clears EnvironmentVariables (scripts_test.go runs it).
func TestMakeUnsetsEveryProviderVariable(t *testing.T) {
	makefile, err := os.ReadFile("../../GNUmakefile")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^TEST_ENV := \$\(CURDIR\)/scripts/without-provider-env\.sh$`).Match(makefile) {
		t.Fatal("GNUmakefile's TEST_ENV is not scripts/without-provider-env.sh")
	}
	for _, line := range strings.Split(strings.ReplaceAll(string(makefile), "\\\n", " "), "\n") {
		if strings.HasPrefix(line, "\t") && (strings.Contains(line, "go test") || strings.Contains(line, "module-test.sh")) &&
			!strings.HasPrefix(line, "\t$(TEST_ENV) ") && !strings.Contains(line, "-run '^$$'") && !strings.Contains(line, "-bench") {
			t.Errorf("a test command runs with the provider's variables: %q", line)
		}
	}
	read := []string{envCredentialsFile}
	for _, names := range settingEnvs {
		read = append(read, names...)
	}
	slices.Sort(read)
	if got := EnvironmentVariables(); !slices.Equal(got, read) {
		t.Fatalf("EnvironmentVariables lists %v\nthe provider reads %v", got, read)
	}
}

// TestCLIFeaturesTable: the README and the provider's page show the one table of what each feature
// needs of the CLIs, as internal/clifeatures has it (which also skips the tests).
func TestCLIFeaturesTable(t *testing.T) {
	for _, file := range []string{"../../README.md", "../../templates/index.md.tmpl", "../../docs/index.md"} {
		content, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(content), clifeatures.Table()) {
			t.Errorf("%s does not show the table of internal/clifeatures:\n%s", file, clifeatures.Table())
		}
	}
}

// TestOpenTofuPinnedOnce: the Makefile names the OpenTofu version that internal/tools/opentofu's
// go.mod builds.
func TestOpenTofuPinnedOnce(t *testing.T) {
	makefile, err := os.ReadFile("../../GNUmakefile")
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile("../tools/opentofu/go.mod")
	if err != nil {
		t.Fatal(err)
	}
	named := regexp.MustCompile(`(?m)^TOFU_NEW_VERSION\s*:= (\S+)$`).FindSubmatch(makefile)
	built := regexp.MustCompile(`(?m)^\s*github.com/opentofu/opentofu v(\S+)( // indirect)?$|^require github.com/opentofu/opentofu v(\S+)$`).FindSubmatch(gomod)
	if named == nil || built == nil || (string(built[1]) != string(named[1]) && string(built[3]) != string(named[1])) {
		t.Fatalf("GNUmakefile's TOFU_NEW_VERSION %q is not the version internal/tools/opentofu/go.mod builds (%q)", named, built)
	}
}
