dist_man_MANS += man/tong-pause.8 man/tong-resume.8 man/tong-ps.8 man/tong-update.8 man/tong-events.8 man/tong.8 man/tong-create.8 man/tong-start.8 man/tong-run.8 man/tong-state.8 \
	man/tong-kill.8 man/tong-exec.8 man/tong-delete.8 man/tong-list.8 man/tong-spec.8 man/tong-features.8
