package config_test

import (
	"errors"
	"strings"
	"testing"

	"cornershop/config"
)

// TestDatabaseCommits: database.commits is 0 (the default) to 32.
func TestDatabaseCommits(t *testing.T) {
	vars := env(map[string]string{"CORNERSHOP_TELEGRAM_ENABLED": "false", "CORNERSHOP_SLACK_ENABLED": "false", "CORNERSHOP_DISCORD_ENABLED": "false"})
	for _, tc := range []struct {
		commits string
		ok      bool
	}{{"0", true}, {"2", true}, {"32", true}, {"-1", false}, {"33", false}} {
		_, err := config.Parse(strings.NewReader("database:\n  commits: "+tc.commits+"\n"), "test.yaml", vars)
		var ve *config.ValidationError
		switch {
		case tc.ok && err != nil:
			t.Errorf("commits %s: %v", tc.commits, err)
		case !tc.ok && (!errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Path != "database.commits"):
			t.Errorf("commits %s: %v, want one problem at database.commits", tc.commits, err)
		}
	}
}
