package io.github.tornadollava.runner;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code llava} command line: one subcommand per job. */
@Command(name = "llava",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "LLaVA inference on the JVM: CPU (Vector API) and TornadoVM backends.",
        subcommands = {
                GenerateCommand.class,
                ChatCommand.class,
                EncodeCommand.class,
                TokenizeCommand.class,
                InfoCommand.class,
                BenchCommand.class,
                DevicesCommand.class,
                CommandLine.HelpCommand.class
        })
public final class LlavaCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new LlavaCli());
        cl.setExecutionExceptionHandler(new OneLineErrors());
        return cl;
    }

    /**
     * Bad input is the user's problem to fix, not a bug: print one line naming what is wrong
     * (the file, the problem) and exit non-zero. {@code LLAVA_DEBUG=1} shows the stack trace.
     */
    static final class OneLineErrors implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
            System.out.flush();
            String msg = ex.getMessage() != null ? ex.getMessage() : ex.getClass().getSimpleName();
            cmd.getErr().println("error: " + msg);
            if (System.getenv("LLAVA_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            }
            return 1;
        }
    }
}
