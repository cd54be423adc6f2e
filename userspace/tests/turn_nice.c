// SPDX-License-Identifier: GPL-2.0
/*
 * Two libnice agents (RFC 8445 ICE, force-relay) with coned as their TURN
 * server: they must select a relay-to-relay pair and exchange data.
 *
 *   turn_nice SERVER USER PASSWORD      exit 0 on success
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nice/agent.h>

struct side {
	NiceAgent *agent;
	guint stream;
	gboolean ready;
	gchar *got;
};

static struct side sides[2];
static GMainLoop *loop;
static int failed;

static void on_recv(NiceAgent *agent, guint stream, guint component,
		    guint len, gchar *buf, gpointer data)
{
	struct side *s = data;

	g_free(s->got);
	s->got = g_strndup(buf, len);
	if (sides[0].got && sides[1].got)
		g_main_loop_quit(loop);
}

static void on_gathered(NiceAgent *agent, guint stream, gpointer data)
{
	static int done;

	if (++done == 2)
		g_main_loop_quit(loop);
}

static void on_state(NiceAgent *agent, guint stream, guint component,
		     guint state, gpointer data)
{
	struct side *s = data;

	if (state == NICE_COMPONENT_STATE_READY && !s->ready) {
		s->ready = TRUE;
		if (sides[0].ready && sides[1].ready)
			g_main_loop_quit(loop);
	} else if (state == NICE_COMPONENT_STATE_FAILED) {
		failed = 1;
		g_main_loop_quit(loop);
	}
}

static gboolean on_timeout(gpointer data)
{
	fprintf(stderr, "turn_nice: timed out\n");
	failed = 1;
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

int main(int argc, char **argv)
{
	static const char *const msg[2] = { "ping via coned", "pong via coned" };
	NiceCandidate *local = NULL, *remote = NULL;
	gchar *ufrag, *pwd;
	GSList *cands;
	int i;

	if (argc != 4) {
		fprintf(stderr, "usage: turn_nice SERVER USER PASSWORD\n");
		return 2;
	}
	loop = g_main_loop_new(NULL, FALSE);
	for (i = 0; i < 2; i++) {
		struct side *s = &sides[i];

		s->agent = nice_agent_new_full(g_main_loop_get_context(loop),
					       NICE_COMPATIBILITY_RFC5245,
					       NICE_AGENT_OPTION_RELIABLE * 0);
		g_object_set(s->agent, "force-relay", TRUE,
			     "controlling-mode", i == 0, "upnp", FALSE, NULL);
		s->stream = nice_agent_add_stream(s->agent, 1);
		nice_agent_set_relay_info(s->agent, s->stream, 1, argv[1], 3478,
					  argv[2], argv[3], NICE_RELAY_TYPE_TURN_UDP);
		g_signal_connect(s->agent, "candidate-gathering-done",
				 G_CALLBACK(on_gathered), s);
		g_signal_connect(s->agent, "component-state-changed",
				 G_CALLBACK(on_state), s);
		nice_agent_attach_recv(s->agent, s->stream, 1,
				       g_main_loop_get_context(loop), on_recv, s);
		nice_agent_gather_candidates(s->agent, s->stream);
	}
	g_timeout_add_seconds(20, on_timeout, NULL);
	g_main_loop_run(loop);
	if (failed)
		return 1;
	/* Exchange credentials and candidates in-process. */
	for (i = 0; i < 2; i++) {
		struct side *s = &sides[i], *o = &sides[!i];

		nice_agent_get_local_credentials(o->agent, o->stream, &ufrag, &pwd);
		nice_agent_set_remote_credentials(s->agent, s->stream, ufrag, pwd);
		g_free(ufrag);
		g_free(pwd);
		cands = nice_agent_get_local_candidates(o->agent, o->stream, 1);
		if (!cands) {
			fprintf(stderr, "turn_nice: agent %d gathered no candidate\n", !i);
			return 1;
		}
		nice_agent_set_remote_candidates(s->agent, s->stream, 1, cands);
		g_slist_free_full(cands, (GDestroyNotify)nice_candidate_free);
	}
	g_main_loop_run(loop);
	if (failed)
		return 1;
	if (!nice_agent_get_selected_pair(sides[0].agent, sides[0].stream, 1,
					  &local, &remote) ||
	    local->type != NICE_CANDIDATE_TYPE_RELAYED ||
	    remote->type != NICE_CANDIDATE_TYPE_RELAYED) {
		fprintf(stderr, "turn_nice: the selected pair is not relay to relay\n");
		return 1;
	}
	for (i = 0; i < 2; i++)
		nice_agent_send(sides[i].agent, sides[i].stream, 1,
				strlen(msg[i]), msg[i]);
	g_main_loop_run(loop);
	if (failed || !sides[1].got || strcmp(sides[1].got, msg[0]) ||
	    !sides[0].got || strcmp(sides[0].got, msg[1])) {
		fprintf(stderr, "turn_nice: data did not arrive\n");
		return 1;
	}
	printf("# selected pair: relay -> relay\n");
	return 0;
}
