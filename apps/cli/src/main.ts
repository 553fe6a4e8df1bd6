import { x } from '@keyway/contracts'; console.log(x);
