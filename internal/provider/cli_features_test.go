package provider

import (
	"context"
	"fmt"
	"os"

	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/platform-tools/terraform-provider-live/internal/clifeatures"
)

// needs skips a test on a CLI without the feature: one table (internal/clifeatures) says which
// versions of Terraform and of OpenTofu have it.
func needs(f clifeatures.Feature) tfversion.TerraformVersionCheck {
	return featureCheck{feature: f, want: true}
}

// without runs a test only on a CLI without the feature (its error on older CLIs).
func without(f clifeatures.Feature) tfversion.TerraformVersionCheck {
	return featureCheck{feature: f, want: false}
}

type featureCheck struct {
	feature clifeatures.Feature
	want    bool
}

func (c featureCheck) CheckTerraformVersion(_ context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	cli := clifeatures.CLI{OpenTofu: clifeatures.IsOpenTofu(os.Getenv("TF_ACC_TERRAFORM_PATH")), Version: req.TerraformVersion}
	switch has := cli.Has(c.feature); {
	case c.want && !has:
		resp.Skip = fmt.Sprintf("%s needs %s %s or newer; the CLI is %s", c.feature.Name, kind(cli), cli.Needs(c.feature), cli)
	case !c.want && has:
		resp.Skip = fmt.Sprintf("this test is of CLIs without %s; the CLI is %s", c.feature.Name, cli)
	}
}

func kind(cli clifeatures.CLI) string {
	if cli.OpenTofu {
		return "OpenTofu"
	}
	return "Terraform"
}
