/*
 * faceauth-pam-driver (test only): runs one PAM transaction through real
 * libpam (under pam_wrapper in the tests) and prints every event as a JSON
 * line with the time in seconds since pam_authenticate() began:
 *   {"t":0.012,"event":"info","text":"..."}      PAM_TEXT_INFO
 *   {"t":0.013,"event":"error","text":"..."}     PAM_ERROR_MSG
 *   {"t":0.020,"event":"prompt","echo":false,"text":"Password: "}
 *   {"t":0.320,"event":"answer","text":"secret"}
 *   {"t":0.330,"event":"authenticate","rc":0,"name":"PAM_SUCCESS"}
 *   {"t":0.400,"event":"account","rc":0,"name":"PAM_SUCCESS"}
 * Usage: faceauth-pam-driver [--answer MS:TEXT]... [--account] [--rhost HOST]
 *                            [--tty TTY] SERVICE USER
 * Each prompt takes the next --answer: the driver waits MS milliseconds after
 * the prompt arrived, then answers TEXT. A prompt without an answer left is
 * reported ("unanswered") and fails the conversation.
 */
#define _POSIX_C_SOURCE 200809L
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <security/pam_appl.h>

static struct timespec start;
static const char **answers;
static int n_answers, next_answer;

static double elapsed(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
}

static void json_string(const char *s) {
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

static void event(const char *name, const char *text) {
    printf("{\"t\":%.3f,\"event\":\"%s\",\"text\":", elapsed(), name);
    json_string(text);
    printf("}\n");
    fflush(stdout);
}

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data) {
    (void)data;
    struct pam_response *r = calloc((size_t)n, sizeof *r);
    if (!r)
        return PAM_BUF_ERR;
    for (int i = 0; i < n; i++) {
        switch (msg[i]->msg_style) {
        case PAM_TEXT_INFO: event("info", msg[i]->msg); break;
        case PAM_ERROR_MSG: event("error", msg[i]->msg); break;
        case PAM_PROMPT_ECHO_OFF:
        case PAM_PROMPT_ECHO_ON: {
            printf("{\"t\":%.3f,\"event\":\"prompt\",\"echo\":%s,\"text\":", elapsed(),
                   msg[i]->msg_style == PAM_PROMPT_ECHO_ON ? "true" : "false");
            json_string(msg[i]->msg);
            printf("}\n");
            fflush(stdout);
            if (next_answer >= n_answers) {
                event("unanswered", msg[i]->msg);
                for (int j = 0; j < i; j++)
                    free(r[j].resp);
                free(r);
                return PAM_CONV_ERR;
            }
            const char *a = answers[next_answer++];
            const char *colon = strchr(a, ':');
            long ms = colon ? strtol(a, NULL, 10) : 0;
            const char *text = colon ? colon + 1 : a;
            struct timespec d = {ms / 1000, (ms % 1000) * 1000000L};
            while (nanosleep(&d, &d) != 0) {
            }
            event("answer", text);
            r[i].resp = strdup(text);
            break;
        }
        default: event("unknown-style", msg[i]->msg); break;
        }
    }
    *resp = r;
    return PAM_SUCCESS;
}

static void result(pam_handle_t *h, const char *what, int rc) {
    printf("{\"t\":%.3f,\"event\":\"%s\",\"rc\":%d,\"name\":", elapsed(), what, rc);
    json_string(pam_strerror(h, rc));
    printf("}\n");
    fflush(stdout);
}

int main(int argc, char **argv) {
    const char *rhost = NULL, *tty = NULL;
    int account = 0, i;
    setlocale(LC_ALL, ""); /* as sudo, login and display managers do: messages in the caller's language */
    answers = calloc((size_t)argc, sizeof *answers);
    if (!answers)
        return 2;
    for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (!strcmp(argv[i], "--answer") && i + 1 < argc)
            answers[n_answers++] = argv[++i];
        else if (!strcmp(argv[i], "--account"))
            account = 1;
        else if (!strcmp(argv[i], "--rhost") && i + 1 < argc)
            rhost = argv[++i];
        else if (!strcmp(argv[i], "--tty") && i + 1 < argc)
            tty = argv[++i];
        else
            break;
    }
    if (argc - i != 2) {
        fprintf(stderr,
                "usage: %s [--answer MS:TEXT]... [--account] [--rhost HOST] [--tty TTY] SERVICE USER\n",
                argv[0]);
        return 2;
    }
    struct pam_conv c = {conv, NULL};
    pam_handle_t *h = NULL;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int rc = pam_start(argv[i], argv[i + 1], &c, &h);
    if (rc != PAM_SUCCESS) {
        result(NULL, "start", rc);
        return 1;
    }
    if (rhost)
        pam_set_item(h, PAM_RHOST, rhost);
    if (tty)
        pam_set_item(h, PAM_TTY, tty);
    clock_gettime(CLOCK_MONOTONIC, &start);
    rc = pam_authenticate(h, 0);
    result(h, "authenticate", rc);
    if (account && rc == PAM_SUCCESS)
        result(h, "account", pam_acct_mgmt(h, 0));
    pam_end(h, rc);
    free(answers);
    return 0;
}
