/* The pump mode of tsv-exec (tsv_pump.c): argv after `--pump`. */
#ifndef TSV_PUMP_H
#define TSV_PUMP_H
int tsv_pump_main(int argc, char **argv);
#endif
