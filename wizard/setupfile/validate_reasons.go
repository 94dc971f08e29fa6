package setupfile

// Reason keys of FieldError: the catalogue has a text for each, with the
// placeholders named in the comment. Add reasons, never rename one: they
// are the machine-readable part of errors in `--json` output.
const (
	ReasonRequired            = "required"               // a value is needed here
	ReasonCRLF                = "crlf"                   // line break inside a value
	ReasonControlChar         = "control_char"           // other control character inside a value
	ReasonTooLong             = "too_long"               // {max}
	ReasonAddressInvalid      = "address_invalid"        // {detail, value}
	ReasonHostInvalid         = "host_invalid"           // {detail, value}
	ReasonDomainInvalid       = "domain_invalid"         // {detail, value}
	ReasonAccountInvalid      = "account_invalid"        // {detail, value}
	ReasonPortInvalid         = "port_invalid"           // {value}: not a number
	ReasonPortRange           = "port_range"             // {min, max, value}
	ReasonSecurityInvalid     = "security_invalid"       // {value, allowed}
	ReasonChannelInvalid      = "channel_invalid"        // {value, allowed}
	ReasonSenderNameInvalid   = "sender_name_invalid"    // {value, allowed}
	ReasonForwardingInvalid   = "forwarding_invalid"     // {value, allowed}
	ReasonNotSecretRef        = "not_secret_ref"         // {detail: plaintext|env_name|file_path}; never the value
	ReasonUsernameInvalid     = "username_invalid"       // {detail}
	ReasonClientIDInvalid     = "client_id_invalid"      // {value}
	ReasonTenantInvalid       = "tenant_invalid"         // {value}
	ReasonClientIDNotGUID     = "client_id_not_guid"     // {value}: an Entra application id is a GUID
	ReasonClientIDNotGoogle   = "client_id_not_google"   // {value}: a Google client id ends in .apps.googleusercontent.com
	ReasonAppChoiceInvalid    = "app_choice_invalid"     // <channel>.app: platform or own
	ReasonDirectChoiceInvalid = "direct_choice_invalid"  // smtp.direct: switch or keep
	ReasonTextInvalid         = "text_invalid"           // {detail}
	ReasonCIDRInvalid         = "cidr_invalid"           // {value}
	ReasonURLInvalid          = "url_invalid"            // {detail, value}
	ReasonPrerequisiteInvalid = "prerequisite_invalid"   // {value}
	ReasonCAFileUnreadable    = "ca_file_unreadable"     // {path, detail}
	ReasonCAFileNoCert        = "ca_file_no_cert"        // {path}
	ReasonSecretFileMissing   = "secret_file_unreadable" // {path, detail}

	// The file as a whole (Key is empty).
	ReasonFileNotFound   = "file_not_found"    // {path}
	ReasonFileUnreadable = "file_unreadable"   // {path, detail}
	ReasonFileIsDir      = "file_is_directory" // {path}
	ReasonFileTooLarge   = "file_too_large"    // {path, max_bytes}
	ReasonFileBinary     = "file_binary"       // {path}; Line is where the first NUL byte is
	ReasonFileNotUTF8    = "file_not_utf8"     // {path}; Line is where the first bad byte is
	ReasonFileEmpty      = "file_empty"        // {path}

	// YAML structure.
	ReasonYAMLSyntax     = "yaml_syntax"        // {detail}: the parser's own words
	ReasonTabIndent      = "tab_indent"         // a tab in indentation (YAML allows only spaces)
	ReasonMultipleDocs   = "multiple_documents" // a second `---` document
	ReasonAliasForbidden = "alias_forbidden"    // anchors, aliases and merge keys are refused
	ReasonUnknownKey     = "unknown_key"        // {key, suggestion?}
	ReasonDuplicateKey   = "duplicate_key"      // {key, first_line}
	ReasonWrongType      = "wrong_type"         // {expected, got}: string|integer|boolean|mapping|list…
	ReasonKeyInvalid     = "key_invalid"        // a key that is not plain text
	ReasonTooManyErrors  = "too_many_errors"    // {max}: later errors were not reported

	// Whole-file rules.
	ReasonVersionUnsupported = "version_unsupported" // {version, supported}
	ReasonDuplicateEntity    = "duplicate_entity"    // {name, first_key, first_line}
	ReasonEntityInherits     = "entity_inherits"     // an entity without address sets its own connection
	ReasonStepInvalid        = "step_invalid"        // {value}: progress.step
	ReasonSecretUnsafe       = "secret_unsafe"       // Save: a secret field holds no reference
)

// AllReasons lists every reason this package emits, for the catalogue test.
var AllReasons = []string{
	ReasonRequired, ReasonCRLF, ReasonControlChar, ReasonTooLong,
	ReasonAddressInvalid, ReasonHostInvalid, ReasonDomainInvalid,
	ReasonAccountInvalid, ReasonPortInvalid, ReasonPortRange,
	ReasonSecurityInvalid, ReasonChannelInvalid, ReasonSenderNameInvalid,
	ReasonForwardingInvalid, ReasonNotSecretRef, ReasonUsernameInvalid,
	ReasonClientIDInvalid, ReasonTenantInvalid, ReasonTextInvalid,
	ReasonClientIDNotGUID, ReasonClientIDNotGoogle, ReasonAppChoiceInvalid, ReasonDirectChoiceInvalid,
	ReasonCIDRInvalid, ReasonURLInvalid, ReasonPrerequisiteInvalid,
	ReasonCAFileUnreadable, ReasonCAFileNoCert, ReasonSecretFileMissing,
	ReasonFileNotFound, ReasonFileUnreadable, ReasonFileIsDir,
	ReasonFileTooLarge, ReasonFileBinary, ReasonFileNotUTF8, ReasonFileEmpty,
	ReasonYAMLSyntax, ReasonTabIndent, ReasonMultipleDocs,
	ReasonAliasForbidden, ReasonUnknownKey, ReasonDuplicateKey,
	ReasonWrongType, ReasonKeyInvalid, ReasonTooManyErrors,
	ReasonVersionUnsupported, ReasonDuplicateEntity, ReasonEntityInherits,
	ReasonStepInvalid, ReasonSecretUnsafe,
}
