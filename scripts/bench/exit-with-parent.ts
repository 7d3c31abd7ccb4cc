// Preload (`node --import`) for bench children: exit when the bench's stdin pipe closes, so even a killed bench leaves no orphan.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
