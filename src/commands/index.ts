/** The CLI's sub-commands, in the order `grokcheck --help` lists them. */
import type { Command } from './command.js';
import { trainCommand } from './train.js';
import { forkCommand } from './fork.js';
import { runsCommand, showCommand } from './show.js';
import { replayCommand } from './replay.js';
import { fsdCommand } from './fsd.js';
import { benchCommand } from './bench.js';
import { verifyCommand } from './verify.js';
import { mergeCommand } from './merge.js';
import { webgpuCommand } from './webgpu.js';
import { compareCommand } from './compare.js';

export const commands: Command[] = [verifyCommand, compareCommand, mergeCommand, trainCommand, forkCommand, runsCommand, showCommand, replayCommand, fsdCommand, benchCommand, webgpuCommand];
