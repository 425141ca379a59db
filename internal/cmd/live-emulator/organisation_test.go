package main

import (
	"bufio"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"

	"github.com/platform-tools/terraform-provider-live/internal/emulatortest"
	"github.com/platform-tools/terraform-provider-live/internal/liveapi"
	"github.com/platform-tools/terraform-provider-live/internal/livespec"
)

// startRun serves the emulator with args, which add accounts accounts, until the test ends, and
// returns its base URL and the rest of what it printed at start.
func startRun(t *testing.T, accounts int, args ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdoutReader, stdout := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"--listen", "127.0.0.1:0"}, args...), stdout, io.Discard)
		stdout.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	lines := bufio.NewScanner(stdoutReader)
	if !lines.Scan() {
		t.Fatal("no output")
	}
	baseURL := lines.Text()
	var banner []string
	for lines.Scan() {
		banner = append(banner, lines.Text())
		if len(banner) == 5+accounts { // the default account's five lines, then one per account

			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stdoutReader) }()
	return baseURL, strings.Join(banner, "\n")
}

// regionClient is the provider's client of an account in a region, whose project IAM tells.
func regionClient(t *testing.T, url, accessKey, secretKey, region string) *liveapi.Client {
	t.Helper()
	client, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: url, IAMEndpoint: url, Region: region,
		AccessKey: accessKey, SecretKey: secretKey, UserAgent: "live-emulator-test"})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func spec(domain string) liveapi.CallbackSpec {
	url, events := "https://hooks.example.com/n", []string{livespec.EventRecordOver}
	return liveapi.CallbackSpec{PublishDomain: domain, App: "live", NotifyCallbackURL: &url, Events: events}
}

// TestRunServesAnOrganisation: accounts from --account and --config, each with its keys and its
// projects by region, beside the default account; each project has its own configurations, and an
// account's keys are refused in another's project.
func TestRunServesAnOrganisation(t *testing.T) {
	config := filepath.Join(t.TempDir(), "org.json")
	if err := os.WriteFile(config, []byte(`{"accounts": [{"domain": "sports", "access_key": "SPORTSAK", "secret_key": "SportsSecretKey0123456789abcdef",
		"projects": [{"region": "ap-southeast-3", "id": "5p0r75000000000000000000000000ap"}]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	url, banner := startRun(t, 2, "--config", config,
		"--account", "domain=media,access-key=MEDIAAK,secret-key=MediaSecretKey0123456789abcdefgh,regions=cn-north-4+cn-east-3:ea57ea57ea57ea57ea57ea57ea57ea57")
	if !strings.Contains(banner, "account sports: access key SPORTSAK, projects ap-southeast-3 5p0r75000000000000000000000000ap") ||
		!strings.Contains(banner, "account media: access key MEDIAAK, projects cn-north-4 ") || !strings.Contains(banner, "cn-east-3 ea57ea57ea57ea57ea57ea57ea57ea57") {
		t.Fatalf("the banner does not list the accounts:\n%s", banner)
	}

	ctx := context.Background()
	mediaNorth := regionClient(t, url, "MEDIAAK", "MediaSecretKey0123456789abcdefgh", "cn-north-4")
	mediaEast := regionClient(t, url, "MEDIAAK", "MediaSecretKey0123456789abcdefgh", "cn-east-3")
	sports := regionClient(t, url, "SPORTSAK", "SportsSecretKey0123456789abcdef", "ap-southeast-3")
	defaultAccount := regionClient(t, url, emulatortest.AccessKey, emulatortest.SecretKey, emulatortest.Region)
	if mediaEast.ProjectID() != "ea57ea57ea57ea57ea57ea57ea57ea57" || mediaNorth.ProjectID() == emulatortest.ProjectID ||
		mediaNorth.ProjectID() == mediaEast.ProjectID() || defaultAccount.ProjectID() != emulatortest.ProjectID {
		t.Fatalf("projects: media north %s, east %s, default %s", mediaNorth.ProjectID(), mediaEast.ProjectID(), defaultAccount.ProjectID())
	}
	// The same pair in four projects: four configurations.
	for _, client := range []*liveapi.Client{mediaNorth, mediaEast, sports, defaultAccount} {
		if _, err := client.Create(ctx, spec("publish.example.com")); err != nil {
			t.Fatal(err)
		}
		listed, err := client.ListAll(ctx, "", "")
		if err != nil || len(listed) != 1 {
			t.Fatalf("project %s lists %d configurations: %v", client.ProjectID(), len(listed), err)
		}
	}
	// Media's keys in the sports account's project are refused as the cloud refuses them.
	stray, err := liveapi.New(ctx, liveapi.Config{Endpoint: url, ProjectID: sports.ProjectID(), AccessKey: "MEDIAAK",
		SecretKey: "MediaSecretKey0123456789abcdefgh", UserAgent: "live-emulator-test"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = stray.List(ctx, liveapi.ListFilter{})
	var apiErr *sdkerr.ServiceResponseError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized || apiErr.ErrorCode != livespec.ErrorCodeProjectMismatch {
		t.Fatalf("another account's project: %v", err)
	}
}

// TestRunAgencyTrustingAnIdentityProvider: an agency of another account, trusting the federated
// users of an identity provider (--agency trust=idp:<id>), is assumed on top of OIDC federation.
func TestRunAgencyTrustingAnIdentityProvider(t *testing.T) {
	idp, keyFile := writeIdentityProviderKey(t)
	url, _ := startRun(t, 1,
		"--account", "domain=media,access-key=MEDIAAK,secret-key=MediaSecretKey0123456789abcdefgh,regions=cn-north-4:ed1aed1aed1aed1aed1aed1aed1aed1a",
		"--oidc-provider", "id="+emulatortest.IdpID+",issuer="+emulatortest.Issuer+",audience="+emulatortest.Audience+",public-key="+keyFile,
		"--agency", "name=deployer,domain=media,trust=idp:"+emulatortest.IdpID)
	client, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: url, IAMEndpoint: url, Region: "cn-north-4",
		Method: liveapi.MethodOIDC, IdpID: emulatortest.IdpID, IDTokenFile: idp.IDTokenFile(t, time.Hour, nil), UserAgent: "live-emulator-test",
		AssumeRole: &liveapi.AssumeRole{AgencyName: "deployer", DomainName: "media", Duration: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	if client.ProjectID() != "ed1aed1aed1aed1aed1aed1aed1aed1a" {
		t.Fatalf("the agency acts in %s, want the media account's project", client.ProjectID())
	}
	if _, err := client.Create(context.Background(), spec("publish.example.com")); err != nil {
		t.Fatal(err)
	}
	// The default account's keys are not trusted by this agency.
	_, err = liveapi.New(context.Background(), liveapi.Config{Endpoint: url, IAMEndpoint: url, Region: "cn-north-4",
		AccessKey: emulatortest.AccessKey, SecretKey: emulatortest.SecretKey, UserAgent: "live-emulator-test",
		AssumeRole: &liveapi.AssumeRole{AgencyName: "deployer", DomainName: "media", Duration: time.Hour}})
	var apiErr *sdkerr.ServiceResponseError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusForbidden {
		t.Fatalf("the default account's keys assumed the agency: %v", err)
	}
}

// writeIdentityProviderKey writes the public key of a test identity provider into a PEM file.
func writeIdentityProviderKey(t *testing.T) (emulatortest.IdentityProvider, string) {
	t.Helper()
	idp := emulatortest.NewIdentityProvider(t)
	der, err := x509.MarshalPKIXPublicKey(idp.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return idp, keyFile
}

// TestRunRefusesAnImpossibleOrganisation: what the cloud could not hold stops the emulator, saying why.
func TestRunRefusesAnImpossibleOrganisation(t *testing.T) {
	dir := t.TempDir()
	unknownField := filepath.Join(dir, "unknown.json")
	if err := os.WriteFile(unknownField, []byte(`{"accounts": [], "acounts": []}`), 0o600); err != nil {
		t.Fatal(err)
	}
	twoValues := filepath.Join(dir, "two.json")
	if err := os.WriteFile(twoValues, []byte(`{"accounts": []} {"accounts": []}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, keyFile := writeIdentityProviderKey(t)
	idp := "id=ci,issuer=https://ci.example.com,audience=iam,public-key=" + keyFile
	media := "domain=media,domain-id=ed1a,access-key=MEDIAAK,secret-key=s,regions=cn-north-4"
	cases := map[string]struct {
		args []string
		why  string
	}{
		"a key twice":             {[]string{"--account", "domain=media,access-key=" + emulatortest.AccessKey + ",secret-key=s,regions=cn-north-4"}, "another account's"},
		"an account twice":        {[]string{"--account", "domain=emulator,access-key=OTHER,secret-key=s,regions=cn-north-4"}, "given twice"},
		"a domain id twice":       {[]string{"--account", "domain=media,domain-id=" + emulatortest.DomainID + ",access-key=OTHER,secret-key=s,regions=cn-north-4"}, "domain id"},
		"a project id twice":      {[]string{"--account", "domain=media,access-key=OTHER,secret-key=s,regions=cn-north-4:" + emulatortest.ProjectID}, "project id"},
		"a region twice":          {[]string{"--account", "domain=media,access-key=OTHER,secret-key=s,regions=cn-north-4+cn-north-4"}, "twice"},
		"no regions":              {[]string{"--account", "domain=media,access-key=OTHER,secret-key=s"}, "region"},
		"an unknown setting":      {[]string{"--account", "domain=media,access-key=OTHER,secret-key=s,regions=cn-north-4,colour=red"}, "colour"},
		"a config's typo":         {[]string{"--config", unknownField}, "acounts"},
		"a config that is gone":   {[]string{"--config", filepath.Join(dir, "missing.json")}, "missing.json"},
		"an IdP's account":        {[]string{"--oidc-provider", idp + ",account=nobody"}, `no account "nobody"`},
		"an IdP twice":            {[]string{"--oidc-provider", idp, "--oidc-provider", idp}, "given twice"},
		"an agency's domain":      {[]string{"--agency", "name=a"}, "domain"},
		"a trust of no key":       {[]string{"--agency", "name=a,domain=x,trust=NOSUCHKEY"}, `"NOSUCHKEY", which no account has`},
		"a trust of no IdP":       {[]string{"--agency", "name=a,domain=x,trust=idp:nobody"}, `"nobody", which is not given`},
		"a domain and another id": {[]string{"--account", media, "--agency", "name=a,domain=media,domain-id=" + emulatortest.DomainID}, "are not one account"},
		"an agency twice":         {[]string{"--agency", "name=a,domain=x", "--agency", "name=a,domain=x"}, "given twice"},
	}
	for name, tc := range cases {
		var stderr strings.Builder
		err := run(context.Background(), append([]string{"--listen", "127.0.0.1:0"}, tc.args...), io.Discard, &stderr)
		if err == nil || !strings.Contains(err.Error()+stderr.String(), tc.why) {
			t.Errorf("%s (%q): want an error naming %q, got %v %s", name, tc.args, tc.why, err, stderr.String())
		}
	}
}

// TestRunAgencyByDomainID: an agency named by its account's domain id acts in that account's projects.
func TestRunAgencyByDomainID(t *testing.T) {
	url, _ := startRun(t, 1,
		"--account", "domain=media,domain-id=ed1a,access-key=MEDIAAK,secret-key=MediaSecretKey0123456789abcdefgh,regions=cn-north-4:ed1aed1aed1aed1aed1aed1aed1aed1a",
		"--agency", "name=deployer,domain-id=ed1a")
	client, err := liveapi.New(context.Background(), liveapi.Config{Endpoint: url, IAMEndpoint: url, Region: "cn-north-4",
		AccessKey: emulatortest.AccessKey, SecretKey: emulatortest.SecretKey, UserAgent: "live-emulator-test",
		AssumeRole: &liveapi.AssumeRole{AgencyName: "deployer", DomainID: "ed1a", Duration: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	if client.ProjectID() != "ed1aed1aed1aed1aed1aed1aed1aed1a" {
		t.Fatalf("the agency acts in %s, want the media account's project", client.ProjectID())
	}
}

// TestAnnounceOnEveryAddress: listening on every address, the banner gives the loopback URL, which
// this machine's clients and the console (loopback names only) use.
func TestAnnounceOnEveryAddress(t *testing.T) {
	var out strings.Builder
	org := organisation{Accounts: []accountConfig{{Domain: "emulator", Projects: []projectConfig{{Region: "cn-north-4", ID: "p"}}}}}
	announce(&out, &net.TCPAddr{IP: net.IPv6unspecified, Port: 1234}, serveConfig{}, org)
	if first := strings.SplitN(out.String(), "\n", 2)[0]; first != "http://127.0.0.1:1234" || !strings.Contains(out.String(), "http://127.0.0.1:1234/_emulator/") {
		t.Fatalf("the banner:\n%s", out.String())
	}
}

// TestRunReadsAConfigsKeyBesideIt: a relative public_key of --config is read beside the file,
// wherever the emulator starts.
func TestRunReadsAConfigsKeyBesideIt(t *testing.T) {
	idp, keyFile := writeIdentityProviderKey(t)
	config := filepath.Join(filepath.Dir(keyFile), "org.json")
	if err := os.WriteFile(config, []byte(`{"oidc_providers": [{"id": "`+emulatortest.IdpID+`", "issuer": "`+emulatortest.Issuer+
		`", "audience": "`+emulatortest.Audience+`", "public_key": "`+filepath.Base(keyFile)+`"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	url, _ := startRun(t, 0, "--config", config) // the test runs in the package's directory, not the file's
	req, err := http.NewRequest(http.MethodPost, url+"/v3/OS-FEDERATION/identity_providers/"+emulatortest.IdpID+"/protocols/oidc/auth", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+idp.IDToken(t, time.Hour, nil))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("the federation of the config's identity provider answered %d", resp.StatusCode)
	}
}
