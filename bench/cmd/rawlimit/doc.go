// Command rawlimit runs one operation of the raw engine limit on a plan
// written by the benchmark: `rawlimit PLAN.json up|ps|warm|down`. It is a
// separate small process so that its figures include what berth's include:
// process start, engine client set-up and API version negotiation.
package main
