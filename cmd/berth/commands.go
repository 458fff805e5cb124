package main

import "github.com/spf13/cobra"

// commandList is every berth command, in one place. They are grouped here
// for a reader; `berth --help` lists them alphabetically, as Docker
// Compose's help does.
func (a *app) commandList() []*cobra.Command {
	return []*cobra.Command{
		// Converge and tear down the project.
		newUpCommand(a),
		newDownCommand(a),
		newCreateCommand(a),
		newScaleCommand(a),
		newBuildCommand(a),
		newWatchCommand(a),

		// Move images between the engine and registries.
		newPullCommand(a),
		newPushCommand(a),
		newPublishCommand(a),

		// Change the state of existing containers.
		newStartCommand(a),
		newStopCommand(a),
		newRestartCommand(a),
		newKillCommand(a),
		newPauseCommand(a),
		newUnpauseCommand(a),
		newRmCommand(a),
		newWaitCommand(a),

		// Run processes and move files.
		newRunCommand(a),
		newExecCommand(a),
		newAttachCommand(a),
		newCpCommand(a),
		newCommitCommand(a),
		newExportCommand(a),

		// Read what runs; these change nothing.
		newPsCommand(a),
		newLogsCommand(a),
		newTopCommand(a),
		newPortCommand(a),
		newImagesCommand(a),
		newVolumesCommand(a),
		newEventsCommand(a),
		newStatsCommand(a),
		newLsCommand(a),

		// Deploy the project to a Docker Swarm (stack deploy, ps, rm, …).
		newStackCommand(a),

		// Need no engine.
		newConfigCommand(a),
		newVersionCommand(a),
		newCompletionCommand(a),
	}
}
