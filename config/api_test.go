package config_test

import (
	"strings"
	"testing"

	"cornershop/config"
)

// TestAPITokens: each bad token is named by its key path, and no secret
// appears in the message.
func TestAPITokens(t *testing.T) {
	const secret = "short-TOP-SECRET"
	yaml := `
api:
  tokens:
    - name: crm
      scopes: [write]
    - name: crm
      scopes: [root]
    - name: "Bad Name"
      scopes: []
`
	vars := map[string]string{"CORNERSHOP_API_TOKENS_1_SECRET": secret, "CORNERSHOP_API_TOKENS_2_SECRET": strings.Repeat("s", 40)}
	_, err := config.Parse(strings.NewReader(yaml), "api.yaml", env(vars))
	if err == nil {
		t.Fatal("bad tokens accepted")
	}
	msg := err.Error()
	for _, want := range []string{
		"api.tokens[0].secret", "api.tokens[1].name", "api.tokens[1].secret", "api.tokens[1].scopes[0]",
		"api.tokens[2].name", "api.tokens[2].scopes",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("the problems do not name %s:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, secret) || strings.Contains(msg, strings.Repeat("s", 40)) {
		t.Errorf("the problems show a secret:\n%s", msg)
	}
	good := "api:\n  tokens:\n    - name: crm\n      scopes: [read, admin]\n"
	cfg, err := config.Parse(strings.NewReader(good), "api.yaml", env(map[string]string{"CORNERSHOP_API_TOKENS_0_SECRET": strings.Repeat("k", 32)}))
	if err != nil {
		t.Fatal(err)
	}
	if tok := cfg.API.Tokens[0]; tok.Name != "crm" || tok.Secret.Reveal() != strings.Repeat("k", 32) || len(tok.Scopes) != 2 {
		t.Errorf("token = %+v", tok)
	}
}
