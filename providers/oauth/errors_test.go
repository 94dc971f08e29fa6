package oauth_test

import (
	"context"
	"testing"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/providers/oauth"
	"github.com/jobmail/jobmail/providers/oauth/oauthtest"
)

// TestErrorMapping drives each error through the real flow: the server
// answers it (redirect or token endpoint) and the flow must map it.
func TestErrorMapping(t *testing.T) {
	const consentURL = "https://login.example/acme.de/adminconsent?client_id=test-client"
	tests := []struct {
		name  string
		ep    oauthtest.Endpoint
		err   string
		desc  string
		want  providers.Code
		actor providers.Actor
	}{
		{"declined at the consent screen", oauthtest.EndpointAuthorize, "access_denied", "AADSTS65004: User declined to consent to access the app.", providers.CodeOAuthAccessDenied, providers.ActorUser},
		{"google declined", oauthtest.EndpointAuthorize, "access_denied", "", providers.CodeOAuthAccessDenied, providers.ActorUser},
		{"consent not granted", oauthtest.EndpointAuthorize, "consent_required", "AADSTS65001: The user or administrator has not consented to use the application with ID 'test-client'.", providers.CodeOAuthAdminConsent, providers.ActorMailAdmin},
		{"admin consent required", oauthtest.EndpointAuthorize, "access_denied", "AADSTS90094: The grant requires admin permission.", providers.CodeOAuthAdminConsent, providers.ActorMailAdmin},
		{"need admin approval", oauthtest.EndpointAuthorize, "access_denied", "Need admin approval", providers.CodeOAuthAdminConsent, providers.ActorMailAdmin},
		{"invalid scope", oauthtest.EndpointAuthorize, "invalid_scope", "AADSTS70011: The provided value for the input parameter 'scope' is not valid.", providers.CodeOAuthInvalidScope, providers.ActorPlatform},
		{"conditional access", oauthtest.EndpointAuthorize, "access_denied", "AADSTS53003: Access has been blocked by Conditional Access policies.", providers.CodeOAuthConditional, providers.ActorMailAdmin},
		{"mfa required", oauthtest.EndpointCode, "invalid_grant", "AADSTS50076: Due to a configuration change made by your administrator, you must use multi-factor authentication.", providers.CodeOAuthConditional, providers.ActorMailAdmin},
		{"mfa enrolment", oauthtest.EndpointCode, "interaction_required", "AADSTS50079: The user is required to use multi-factor authentication.", providers.CodeOAuthConditional, providers.ActorMailAdmin},
		{"app not in tenant", oauthtest.EndpointAuthorize, "unauthorized_client", "AADSTS700016: Application with identifier 'x' was not found in the directory 'acme.de'.", providers.CodeOAuthAppNotFound, providers.ActorUser},
		{"google unknown client", oauthtest.EndpointCode, "invalid_client", "The OAuth client was not found.", providers.CodeOAuthAppNotFound, providers.ActorUser},
		{"code expired", oauthtest.EndpointCode, "invalid_grant", "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity.", providers.CodeOAuthInvalidGrant, providers.ActorUser},
		{"sign-in frequency", oauthtest.EndpointCode, "invalid_grant", "AADSTS70043: The refresh token has expired or is invalid due to sign-in frequency checks by conditional access.", providers.CodeOAuthInvalidGrant, providers.ActorUser},
		{"server trouble", oauthtest.EndpointCode, "temporarily_unavailable", "try later", providers.CodeOAuthUnreachable, providers.ActorUser},
		{"server error", oauthtest.EndpointCode, "server_error", "", providers.CodeOAuthUnreachable, providers.ActorUser},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := oauthtest.New(t, oauthtest.Options{})
			f := newFlow(s)
			f.Tenant = "organizations"
			f.AdminConsentURL = consentURL
			s.FailNext(tt.ep, oauthtest.ErrorReply{Error: tt.err, Description: tt.desc})
			b := &oauthtest.Browser{}
			_, err := f.Authorize(context.Background(), oauth.ModeLoopback, address, b, &prompter{})
			pe := wantCode(t, err, tt.want)
			wantReply := tt.desc
			if wantReply == "" {
				wantReply = tt.err
			}
			if pe.Reply != wantReply || pe.Actor != tt.actor || pe.Args["error"] != tt.err {
				t.Errorf("diagnosis = %+v, want reply %q actor %s", pe.Diagnosis, wantReply, tt.actor)
			}
			if tt.want == providers.CodeOAuthAdminConsent {
				if pe.Args["admin_consent_url"] != consentURL || pe.Args["tenant"] != "example.test" ||
					pe.Args["client_id"] != s.ClientID() || pe.Args["address"] != address || pe.Args["scopes"] == "" {
					t.Errorf("admin consent args = %v", pe.Args)
				}
			}
			if tt.want == providers.CodeOAuthAppNotFound && pe.Field != "x.client_id" {
				t.Errorf("field = %q", pe.Field)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		err, desc string
		want      providers.Code
	}{
		{"invalid_grant", "", providers.CodeOAuthInvalidGrant},
		{"invalid_grant", "AADSTS700082: The refresh token has expired due to inactivity.", providers.CodeOAuthInvalidGrant},
		{"invalid_grant", "AADSTS65001: consent", providers.CodeOAuthAdminConsent},
		{"expired_token", "", providers.CodeOAuthExpired},
		{"authorization_declined", "", providers.CodeOAuthAccessDenied},
		{"invalid_request", "AADSTS90094: admin", providers.CodeOAuthAdminConsent},
		{"invalid_request", "AADSTS99999: something new", providers.CodeUnknown},
		{"", "", providers.CodeUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.err+"/"+tt.desc, func(t *testing.T) {
			if got := oauth.Classify(tt.err, tt.desc); got != tt.want {
				t.Errorf("Classify = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestAdminConsentURL(t *testing.T) {
	tests := []struct {
		authority, tenant, client, address, want string
	}{
		{"", "common", "abc", "jobs@Acme.de", "https://login.microsoftonline.com/acme.de/adminconsent?client_id=abc"},
		{"", "organizations", "abc", "jobs@acme.de", "https://login.microsoftonline.com/acme.de/adminconsent?client_id=abc"},
		{"https://login.microsoftonline.us/", "acme.onmicrosoft.com", "a b", "jobs@acme.de", "https://login.microsoftonline.us/acme.onmicrosoft.com/adminconsent?client_id=a+b"},
		{"", "72f988bf-86f1-41af-91ab-2d7cd011db47", "abc", "", "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/adminconsent?client_id=abc"},
		{"", "", "abc", "no-at-sign", "https://login.microsoftonline.com/organizations/adminconsent?client_id=abc"},
	}
	for _, tt := range tests {
		t.Run(tt.tenant+tt.address, func(t *testing.T) {
			if got := oauth.AdminConsentURL(tt.authority, tt.tenant, tt.client, tt.address); got != tt.want {
				t.Errorf("AdminConsentURL = %q, want %q", got, tt.want)
			}
		})
	}
}
