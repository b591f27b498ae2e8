dist_man_MANS += man/tong-pause.8 man/tong-resume.8 man/tong-ps.8 man/tong-update.8 man/tong-events.8 man/tong.8 man/tong-create.8 man/tong-start.8 man/tong-run.8 man/tong-state.8 \
	man/tong-kill.8 man/tong-exec.8 man/tong-delete.8 man/tong-list.8 man/tong-spec.8 man/tong-features.8 \
	man/tong-network.7
dist_man_MANS += man/tong-shim.1 man/tong-shim-pull.1 man/tong-shim-load.1 man/tong-shim-save.1 \
	man/tong-shim-images.1 man/tong-shim-inspect.1 man/tong-shim-rmi.1 man/tong-shim-run.1 man/tong-shim-ps.1 \
	man/tong-shim-logs.1 man/tong-shim-stop.1 man/tong-shim-rm.1 man/tong-shim-exec.1 man/tong-shim-prune.1 \
	man/tong-shim-check.1
