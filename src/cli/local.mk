# cli: tong's command line, one cmd_*.c a command.
tong_SOURCES += src/cli/main.c src/cli/commands.h \
	src/cli/cmd_create.c src/cli/cmd_start.c src/cli/cmd_run.c src/cli/cmd_state.c src/cli/cmd_kill.c \
	src/cli/cmd_delete.c src/cli/cmd_list.c src/cli/cmd_pause.c src/cli/cmd_ps.c \
	src/cli/cmd_update.c src/cli/cmd_events.c src/cli/cmd_spec.c src/cli/cmd_features.c \
	src/cli/cmd_exec.c
