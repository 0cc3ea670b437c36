/* faceauth-dbus.h - the D-Bus contract of faceauthd in code: names, errors,
 * results, option and detail keys, and the hint codes, as
 * dbus/org.faceauth.FaceAuth1.xml documents them. The daemon, faceauthctl and
 * the PAM module include this file instead of spelling the strings; the
 * introspection test (tests/e2e/test_introspection.py) checks that every
 * error, result and option key the XML documents is here.
 *
 * Plain C (the PAM module is C): macros and one static table. Hints are codes,
 * never prose: each side shows its own translated text for a code
 * (FACEAUTH_HINT_TEXTS, through the "faceauth" gettext catalogue). */
#ifndef FACEAUTH_DBUS_H
#define FACEAUTH_DBUS_H

#include <string.h>

#define FACEAUTH_BUS_NAME "org.faceauth.FaceAuth1"
#define FACEAUTH_OBJECT_PATH "/org/faceauth/FaceAuth1"
#define FACEAUTH_INTERFACE "org.faceauth.FaceAuth1"

/* Errors (org.faceauth.Error.*) */
#define FACEAUTH_ERROR_PREFIX "org.faceauth.Error."
#define FACEAUTH_ERROR_PERMISSION_DENIED "org.faceauth.Error.PermissionDenied"
#define FACEAUTH_ERROR_INVALID_ARGUMENT "org.faceauth.Error.InvalidArgument"
#define FACEAUTH_ERROR_CONSENT_REQUIRED "org.faceauth.Error.ConsentRequired"
#define FACEAUTH_ERROR_EXCLUDED "org.faceauth.Error.Excluded"
#define FACEAUTH_ERROR_BUSY "org.faceauth.Error.Busy"
#define FACEAUTH_ERROR_NOT_FOUND "org.faceauth.Error.NotFound"
#define FACEAUTH_ERROR_STORE_CORRUPTED "org.faceauth.Error.StoreCorrupted"
#define FACEAUTH_ERROR_INTERNAL "org.faceauth.Error.Internal"

/* Verify (and TestVerify) results */
#define FACEAUTH_RESULT_MATCH "match"
#define FACEAUTH_RESULT_NO_MATCH "no-match"
#define FACEAUTH_RESULT_NO_FACE "no-face"
#define FACEAUTH_RESULT_NOT_ENROLLED "not-enrolled"
#define FACEAUTH_RESULT_LOCKED_OUT "locked-out"
#define FACEAUTH_RESULT_CAMERA_UNAVAILABLE "camera-unavailable"
#define FACEAUTH_RESULT_TIMEOUT "timeout"
#define FACEAUTH_RESULT_CANCELLED "cancelled"
#define FACEAUTH_RESULT_REFUSED "refused"
#define FACEAUTH_RESULT_ENROLL_AGAIN "enroll-again"
#define FACEAUTH_RESULT_SPOOF_SUSPECTED "spoof-suspected"
#define FACEAUTH_RESULT_LIVENESS_UNAVAILABLE "liveness-unavailable"

/* Verify options (a{sv}) and their values */
#define FACEAUTH_OPTION_TIMEOUT "timeout" /* u, seconds */
#define FACEAUTH_OPTION_REQUIRE "require" /* s, one of FACEAUTH_REQUIRE_* */
#define FACEAUTH_OPTION_LOGIN "login"     /* b, the caller is the PAM module */
#define FACEAUTH_REQUIRE_ANY "any"
#define FACEAUTH_REQUIRE_LIVENESS "liveness"
#define FACEAUTH_REQUIRE_IR "ir"
/* Enroll options */
#define FACEAUTH_OPTION_LABEL "label"             /* s */
#define FACEAUTH_OPTION_CONFIRM_AGE "confirm_age" /* b */
#define FACEAUTH_OPTION_METHOD "method"           /* s */
/* TestVerify options (and "timeout") */
#define FACEAUTH_OPTION_FRAMES "frames" /* u */

/* Verify details (a{sv}) */
#define FACEAUTH_DETAIL_FRAMES "frames"             /* u */
#define FACEAUTH_DETAIL_HINT "hint"                 /* s, one of FACEAUTH_HINT_* */
#define FACEAUTH_DETAIL_INCIDENT "incident"         /* s, a breach notice */
#define FACEAUTH_DETAIL_LOCKED_UNTIL "locked_until" /* t, Unix seconds */

/* Properties */
#define FACEAUTH_PROPERTY_VERSION "Version"
#define FACEAUTH_PROPERTY_LIVENESS "Liveness" /* s, one of FACEAUTH_LIVENESS_* */
#define FACEAUTH_LIVENESS_REQUIRED "required"
#define FACEAUTH_LIVENESS_BLINK "blink"
#define FACEAUTH_LIVENESS_OFF "off"

/* Hint codes: in Verify details, EnrollProgress and TestVerify frames. */
#define FACEAUTH_HINT_LOOK_AT_CAMERA "look-at-camera"
#define FACEAUTH_HINT_HOLD_STILL "hold-still"
#define FACEAUTH_HINT_MOVE_CLOSER "move-closer"
#define FACEAUTH_HINT_MORE_LIGHT "more-light"
#define FACEAUTH_HINT_ONE_FACE "one-face-only"
#define FACEAUTH_HINT_BLINK "blink"
#define FACEAUTH_HINT_USE_PASSWORD "use-password"
#define FACEAUTH_HINT_TOO_MANY_ATTEMPTS "too-many-attempts"
#define FACEAUTH_HINT_NEEDS_IR_CAMERA "needs-ir-camera"
#define FACEAUTH_HINT_LIVENESS_OFF "liveness-off"
#define FACEAUTH_HINT_ENROLL_AGAIN "enroll-again"

/* The English text of each hint code: the msgid its translation is found
 * under in the "faceauth" catalogue (client/po). FACEAUTH_N_ marks them for
 * xgettext. A code missing here is shown by no one. */
#define FACEAUTH_N_(s) s
struct faceauth_hint_text {
    const char *code, *text;
};
static const struct faceauth_hint_text FACEAUTH_HINT_TEXTS[] = {
    {FACEAUTH_HINT_LOOK_AT_CAMERA, FACEAUTH_N_("look at the camera")},
    {FACEAUTH_HINT_HOLD_STILL, FACEAUTH_N_("hold still")},
    {FACEAUTH_HINT_MOVE_CLOSER, FACEAUTH_N_("move closer")},
    {FACEAUTH_HINT_MORE_LIGHT, FACEAUTH_N_("more light")},
    {FACEAUTH_HINT_ONE_FACE, FACEAUTH_N_("only one face please")},
    {FACEAUTH_HINT_BLINK, FACEAUTH_N_("blink")},
    {FACEAUTH_HINT_USE_PASSWORD, FACEAUTH_N_("use your password")},
    {FACEAUTH_HINT_TOO_MANY_ATTEMPTS, FACEAUTH_N_("too many failed attempts: use your password")},
    {FACEAUTH_HINT_NEEDS_IR_CAMERA, FACEAUTH_N_("this login needs an infrared camera: use your password")},
    {FACEAUTH_HINT_LIVENESS_OFF,
     FACEAUTH_N_("this login needs a liveness check, which is off: use your password")},
    {FACEAUTH_HINT_ENROLL_AGAIN,
     FACEAUTH_N_("your face enrollment was made with another face model: run faceauthctl enroll again")},
};

/* The English text of a hint code, or NULL for an unknown code. */
static inline const char *faceauth_hint_text(const char *code) {
    unsigned i;
    if (!code)
        return 0;
    for (i = 0; i < sizeof FACEAUTH_HINT_TEXTS / sizeof FACEAUTH_HINT_TEXTS[0]; i++)
        if (!strcmp(FACEAUTH_HINT_TEXTS[i].code, code))
            return FACEAUTH_HINT_TEXTS[i].text;
    return 0;
}

#endif /* FACEAUTH_DBUS_H */
