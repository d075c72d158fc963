-- AlterEnum
ALTER TYPE "DatasetChangeKind" ADD VALUE 'bulk';
