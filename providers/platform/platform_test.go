package platform

import (
	"context"
	"testing"

	"github.com/jobmail/jobmail/providers"
)

func TestPlatformService(t *testing.T) {
	cases := []struct {
		name   string
		cancel bool
		ok     bool
		code   providers.Code
	}{
		{"passes with nothing to connect", false, true, ""},
		{"a canceled run says so", true, false, providers.CodeCanceled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			if tc.cancel {
				cancel()
			}
			defer cancel()
			r := New("acme-jobs@m-personio.de").Test(ctx, providers.Message{}, nil)
			if r.OK() != tc.ok || r.Channel != providers.ChannelPlatform || len(r.Stages) != 0 {
				t.Fatalf("result %+v", r)
			}
			if !tc.ok && (r.Diagnosis == nil || r.Diagnosis.Code != tc.code) {
				t.Fatalf("diagnosis %+v, want %s", r.Diagnosis, tc.code)
			}
		})
	}
}
